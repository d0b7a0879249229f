import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { createGovernanceEnvironment, TEST_RATE } from '../approvals/test-support';
import { notifyBudgetThresholds } from './budget-alerts';
import type { StoredAlert } from './types';

let env: ReturnType<typeof createGovernanceEnvironment>;
beforeEach(() => {
  env = createGovernanceEnvironment();
});
afterEach(() => env.database.close());

const sample = { kind: 'payment_failed' as const, title: 'A payment failed', body: 'Nothing was spent.', severity: 'critical' as const };

describe('alerts', () => {
  it('stores alerts per person, newest first, unread until marked read', () => {
    const first = env.alerts.notify('alice', { ...sample, data: { serviceId: 'market/joke' } });
    env.clock.advance(1_000);
    const second = env.alerts.notify('alice', { ...sample, body: 'Second.' });
    env.alerts.notify('bob', sample);
    expect(env.alerts.list('alice').map((a) => a.id)).toEqual([second.id, first.id]);
    expect(first).toMatchObject({ kind: 'payment_failed', severity: 'critical', data: { serviceId: 'market/joke' }, readAt: null });
    expect(env.alerts.unreadCount('alice')).toBe(2);

    expect(env.alerts.markRead('alice', [first.id])).toBe(1);
    expect(env.alerts.list('alice', { unreadOnly: true }).map((a) => a.id)).toEqual([second.id]);
    expect(env.alerts.list('alice').find((a) => a.id === first.id)?.readAt).toBe(env.nowMs());
    // Marking again changes nothing; another person's ids change nothing.
    expect(env.alerts.markRead('alice', [first.id])).toBe(0);
    const bobs = env.alerts.list('bob').map((a) => a.id);
    expect(env.alerts.markRead('alice', bobs)).toBe(0);
    expect(env.alerts.unreadCount('bob')).toBe(1);
    expect(env.alerts.markAllRead('alice')).toBe(1);
    expect(env.alerts.unreadCount('alice')).toBe(0);
  });

  it('stores one alert per dedupe key and pushes it once', () => {
    const pushed: StoredAlert[] = [];
    env.alerts.subscribe('alice', (alert) => pushed.push(alert));
    const a = env.alerts.notify('alice', { ...sample, dedupeKey: 'payment_failed:abc' });
    const b = env.alerts.notify('alice', { ...sample, dedupeKey: 'payment_failed:abc' });
    expect(b.id).toBe(a.id);
    expect(env.alerts.list('alice')).toHaveLength(1);
    expect(pushed.map((p) => p.id)).toEqual([a.id]);
  });

  it('pushes new alerts to the owner only, until unsubscribed; a throwing listener does not stop others', () => {
    const alice: StoredAlert[] = [];
    const bob: StoredAlert[] = [];
    env.alerts.subscribe('alice', () => {
      throw new Error('closed connection');
    });
    const stop = env.alerts.subscribe('alice', (alert) => alice.push(alert));
    env.alerts.subscribe('bob', (alert) => bob.push(alert));
    env.alerts.notify('alice', sample);
    stop();
    env.alerts.notify('alice', sample);
    expect(alice).toHaveLength(1);
    expect(bob).toHaveLength(0);
  });

  it('words governance alerts with their headline and sentence', () => {
    const stored = env.alerts.notifyGovernance('alice', { kind: 'low_balance', availableMsat: msat(5_000_000), thresholdMsat: msat(10_000_000) }, TEST_RATE);
    expect(stored).toMatchObject({ kind: 'low_balance', severity: 'warning', title: 'Wallet balance is low' });
    expect(stored.body).toBe('Your wallet is running low: $5.00 (5,000 sats) left, under your 10,000 sats alert.');
  });

  it('budget thresholds fire once per period, with edited thresholds, and again next month', async () => {
    const alice = await env.signUp('alice@example.com');
    env.saveSettings(alice.userId, { monthlyLimit: { unit: 'sat', msat: msat(1_000_000) }, alertThresholdsPercent: [25, 50, 100] });
    const fire = () => notifyBudgetThresholds({ governance: env.governance, alerts: env.alerts }, { userId: alice.userId, timeZone: 'America/New_York', rate: TEST_RATE });
    env.spend(alice.userId, msat(300_000));
    expect(fire().map((a) => a.title)).toEqual(['25% of your monthly budget used']);
    expect(fire()).toEqual([]);
    env.spend(alice.userId, msat(700_000));
    expect(fire().map((a) => a.title)).toEqual(['50% of your monthly budget used', 'Monthly budget used up']);
    expect(env.alerts.list(alice.userId).filter((a) => a.kind === 'budget_threshold')).toHaveLength(3);

    env.clock.advance(31 * 24 * 3_600_000); // April
    env.spend(alice.userId, msat(600_000));
    expect(fire().map((a) => a.title)).toEqual(['25% of your monthly budget used', '50% of your monthly budget used']);
  });
});

describe('live', () => {
  it('yields alerts stored after it started, in order, and ends when the signal aborts', async () => {
    const controller = new AbortController();
    const stream = env.alerts.live('alice', controller.signal);
    const first = stream.next();
    env.alerts.notify('alice', { ...sample, body: 'one' });
    env.alerts.notify('alice', { ...sample, body: 'two' });
    env.alerts.notify('bob', { ...sample, body: 'not yours' });
    expect((await first).value?.body).toBe('one');
    expect((await stream.next()).value?.body).toBe('two');
    const ended = stream.next();
    controller.abort();
    expect((await ended).done).toBe(true);
  });
});
