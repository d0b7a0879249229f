// Leases on one database, two holders (as two instances would be), against the real repository.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createWorkLeasesRepository } from '../../db/repositories/work-leases-repository';
import { createLeases, type HeldLease } from './leases';

let database: DatabaseHandle;
let nowMs: number;
beforeEach(() => {
  database = openDatabase(':memory:');
  nowMs = 1_000_000;
});
afterEach(() => database.close());

const holder = (holderId: string, ttlMs = 1_000) => createLeases({ db: database.db, now: () => nowMs, holderId, ttlMs });
const leaseOf = (item: string) => createWorkLeasesRepository(database.db).leaseOf('reconcile_payment', item);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('leases', () => {
  it('lets one holder work an item; the other skips it while the lease is live, then works it once released', async () => {
    const a = holder('a');
    const b = holder('b');
    const gate = deferred();
    const working = a.withLease('reconcile_payment', 'p-1', async () => {
      await gate.promise;
      return 'a worked';
    });
    expect(leaseOf('p-1')).toEqual({ job: 'reconcile_payment', item: 'p-1', holder: 'a', expiresAtMs: nowMs + 1_000 });
    expect(await b.withLease('reconcile_payment', 'p-1', async () => 'b worked')).toEqual({ ran: false, reason: 'leased_elsewhere' });
    // Another item, or the same id in another job, is free.
    expect(await b.withLease('reconcile_payment', 'p-2', async () => 'b worked')).toEqual({ ran: true, value: 'b worked' });
    expect(await b.withLease('sync_wallet', 'p-1', async () => 'b worked')).toEqual({ ran: true, value: 'b worked' });
    gate.resolve();
    expect(await working).toEqual({ ran: true, value: 'a worked' });
    expect(leaseOf('p-1')).toBeUndefined();
    expect(await b.withLease('reconcile_payment', 'p-1', async () => 'b worked')).toEqual({ ran: true, value: 'b worked' });
  });

  it('releases the lease when the work throws', async () => {
    const a = holder('a');
    await expect(a.withLease('reconcile_payment', 'p-1', async () => Promise.reject(new Error('wallet exploded')))).rejects.toThrow('wallet exploded');
    expect(leaseOf('p-1')).toBeUndefined();
  });

  it("takes over a dead holder's item once its lease expired, and the dead holder can no longer act on it", async () => {
    const dead = holder('dead');
    const b = holder('b');
    const never = new Promise<never>(() => undefined);
    let deadHeld: HeldLease | undefined;
    // The holder stops mid-item: its lease stays in the table, never released.
    void dead.withLease('reconcile_payment', 'p-1', async (held) => {
      deadHeld = held;
      return never;
    });
    nowMs += 999;
    expect(await b.withLease('reconcile_payment', 'p-1', async () => 'b worked')).toEqual({ ran: false, reason: 'leased_elsewhere' });
    nowMs += 1;
    const gate = deferred();
    const takingOver = b.withLease('reconcile_payment', 'p-1', async () => {
      await gate.promise;
      return 'b worked';
    });
    expect(leaseOf('p-1')?.holder).toBe('b');
    // Woken after its lease expired, the first holder must not act: the item is b's now.
    expect(deadHeld?.lost.aborted).toBe(false);
    expect(deadHeld?.confirm()).toBe(false);
    expect(deadHeld?.lost.aborted).toBe(true);
    expect(leaseOf('p-1')?.holder).toBe('b');
    gate.resolve();
    expect(await takingOver).toEqual({ ran: true, value: 'b worked' });
  });

  it('renews a live holder\'s lease while it works, so a slow item is never taken from under it', async () => {
    // Real time here: renewal runs on a timer, a third of the lease time.
    const live = createLeases({ db: database.db, now: Date.now, holderId: 'live', ttlMs: 600 });
    const other = createLeases({ db: database.db, now: Date.now, holderId: 'other', ttlMs: 600 });
    const gate = deferred();
    const working = live.withLease('reconcile_payment', 'p-1', async (held) => {
      await gate.promise;
      return held.confirm();
    });
    const claimedUntil = leaseOf('p-1')?.expiresAtMs ?? 0;
    await sleep(1_500); // well past the first lease time
    expect(leaseOf('p-1')?.expiresAtMs).toBeGreaterThan(claimedUntil);
    expect(await other.withLease('reconcile_payment', 'p-1', async () => 'taken')).toEqual({ ran: false, reason: 'leased_elsewhere' });
    gate.resolve();
    expect(await working).toEqual({ ran: true, value: true });
  });

  it('confirm() renews the lease it holds, and purgeExpired drops only leases long dead', async () => {
    const a = holder('a');
    await a.withLease('reconcile_payment', 'p-1', async (held) => {
      nowMs += 500;
      expect(held.confirm()).toBe(true);
      expect(leaseOf('p-1')?.expiresAtMs).toBe(nowMs + 1_000);
    });
    const repo = createWorkLeasesRepository(database.db);
    expect(repo.claim({ job: 'sync_wallet', item: 'u-1', holder: 'gone', expiresAtMs: nowMs - 1 }, nowMs - 2)).toBe(true);
    expect(repo.claim({ job: 'sync_wallet', item: 'u-2', holder: 'gone', expiresAtMs: nowMs - 25 * 60 * 60_000 }, 0)).toBe(true);
    expect(a.purgeExpired()).toBe(1);
    expect(repo.leaseOf('sync_wallet', 'u-1')).toBeDefined();
    expect(repo.leaseOf('sync_wallet', 'u-2')).toBeUndefined();
  });
});
