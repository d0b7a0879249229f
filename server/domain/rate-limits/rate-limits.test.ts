import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../db/client';
import { clientNetwork } from './rate-limits';
import { limitSubject, verdictFor } from './index';
import { openRateLimits } from './test-support';

const SIGN_IN = { max: 20, windowMs: 5 * 60_000 };
const T0 = Date.UTC(2026, 11, 6, 12);

const opened: DatabaseHandle[] = [];
let tempDir: string | undefined;
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

/** One "instance": its own connection to the database at `path`, with its own clock reading. */
function instance(path: string, clock: { nowMs: number }) {
  const opening = openRateLimits(path, () => clock.nowMs);
  opened.push(opening.handle);
  return opening;
}

function sharedFile(): string {
  tempDir = mkdtempSync(join(tmpdir(), 'steward-rate-limits-'));
  return join(tempDir, 'app.db');
}

describe('clientNetwork', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:fffe', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8::/64'],
    ['::1', '::/64'],
    ['64:ff9b::203.0.113.7', '64:ff9b::/64'],
    ['not an address', 'not an address'],
  ])('%s counts as %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });
});

describe('verdictFor', () => {
  it('allows up to max attempts, itself included, and refuses the next with the seconds left, rounded up', () => {
    const policy = { max: 2, windowMs: 60_000 };
    expect(verdictFor({ attempts: 2, windowEndsAtMs: 60_000 }, policy, 0)).toEqual({ allowed: true });
    expect(verdictFor({ attempts: 3, windowEndsAtMs: 60_000 }, policy, 500)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    // Never "retry in 0 seconds" while the window is still (just) running.
    expect(verdictFor({ attempts: 3, windowEndsAtMs: 60_000 }, policy, 59_999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});

describe('rate limits in the database', () => {
  it('counts each limit and subject apart, and opens again when the window ends', () => {
    const clock = { nowMs: T0 };
    const { limits } = instance(':memory:', clock);
    const policy = { max: 2, windowMs: 1_000 };
    const alice = limitSubject.person('alice');
    expect([1, 2, 3].map(() => limits.take('data_export', alice, policy).allowed)).toEqual([true, true, false]);
    // Another person, another limit, an address with the same text: none is slowed by alice's exports.
    expect(limits.take('data_export', limitSubject.person('bob'), policy).allowed).toBe(true);
    expect(limits.take('wallet_connection', alice, policy).allowed).toBe(true);
    expect(limits.take('data_export', limitSubject.address('alice'), policy).allowed).toBe(true);
    clock.nowMs = T0 + 999;
    expect(limits.take('data_export', alice, policy)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.nowMs = T0 + 1_000;
    expect([1, 2, 3].map(() => limits.take('data_export', alice, policy).allowed)).toEqual([true, true, false]);
  });

  it('limits 20 sign-in attempts spread over two instances as one (the 21st is refused on either)', () => {
    const path = sharedFile();
    const clock = { nowMs: T0 };
    const [a, b] = [instance(path, clock), instance(path, clock)];
    const address = limitSubject.address('203.0.113.7');
    for (let attempt = 0; attempt < 20; attempt++) {
      const via = attempt % 2 === 0 ? a : b;
      expect(via.limits.take('sign_in', address, SIGN_IN)).toEqual({ allowed: true });
      clock.nowMs += 1_000;
    }
    // The window began at the first attempt, 20 s ago: 280 s are left, whichever instance answers.
    expect(a.limits.take('sign_in', address, SIGN_IN)).toEqual({ allowed: false, retryAfterSeconds: 280 });
    expect(b.limits.take('sign_in', address, SIGN_IN)).toEqual({ allowed: false, retryAfterSeconds: 280 });
  });

  it('keeps the count across a restart', () => {
    const path = sharedFile();
    const clock = { nowMs: T0 };
    const before = instance(path, clock);
    const address = limitSubject.address('203.0.113.8');
    for (let attempt = 0; attempt < 20; attempt++) before.limits.take('sign_in', address, SIGN_IN);
    before.handle.close();
    opened.splice(opened.indexOf(before.handle), 1);

    const after = instance(path, clock);
    expect(after.limits.take('sign_in', address, SIGN_IN)).toEqual({ allowed: false, retryAfterSeconds: 300 });
  });

  it('prunes only windows that have ended, which then count from zero', () => {
    const clock = { nowMs: T0 };
    const { handle, limits } = instance(':memory:', clock);
    const policy = { max: 1, windowMs: 1_000 };
    limits.take('sign_up', limitSubject.address('a'), policy);
    clock.nowMs = T0 + 500;
    limits.take('sign_up', limitSubject.address('b'), policy);
    limits.take('sign_up', limitSubject.address('b'), policy);
    clock.nowMs = T0 + 1_000;
    expect(limits.prune()).toBe(1);
    const left = handle.sqlite.prepare('SELECT subject, attempts FROM rate_limit_windows').all();
    expect(left).toEqual([{ subject: 'ip:b', attempts: 2 }]);
    expect(limits.take('sign_up', limitSubject.address('b'), policy).allowed).toBe(false);
  });
});
