import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createReputationRepository } from '../../db/repositories/reputation-repository';
import { createStandingRepository } from '../../db/repositories/standing-repository';
import { payments } from '../../db/schema/payments';
import { samplePaymentRow } from '../../db/test-rows';
import { formatShareBps } from '../../../shared/reputation';
import { createReputation } from './reputation';
import { createStanding, passesPauseThreshold } from './standing';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
let handle: DatabaseHandle;
let audits: { userId: string; kind: string }[];
let alerts: { userId: string; title: string }[];

beforeEach(() => {
  handle = openDatabase(':memory:');
  // Payments reference ledger reservations; standing never looks at the ledger.
  handle.sqlite.pragma('foreign_keys = OFF');
  audits = [];
  alerts = [];
});
afterEach(() => handle.close());

let seq = 0;
function paid(serviceId: string, delivered: boolean, origin = headlines.origin): void {
  seq += 1;
  handle.db
    .insert(payments)
    .values(
      samplePaymentRow(seq, {
        delivery: delivered ? 'delivered' : 'paid_not_delivered',
        service: serviceId,
        serviceId,
        providerId: 'daily-ledger',
        origin,
        invoiceExpiresAtMs: NOW,
        paidAtMs: NOW - 1_000,
        createdAtMs: NOW - 1_000,
        updatedAtMs: NOW,
      }),
    )
    .run();
}

function standing() {
  return createStanding({
    repo: createStandingRepository(handle.db),
    reputation: createReputation({ repo: createReputationRepository(handle.db), now: () => NOW }),
    audit: { record: (userId, kind) => void audits.push({ userId, kind }) },
    alerts: {
      notify: (userId, input) => {
        alerts.push({ userId, title: input.title });
        return { id: alerts.length } as never;
      },
    },
    operatorIds: () => ['op1', 'op2'],
    now: () => NOW,
  });
}
const headlines = { providerId: 'daily-ledger', serviceId: 'daily-ledger/headlines', origin: 'https://market.example' };

describe('auto-pause', () => {
  it('waits for the minimum number of paid calls: one failure of a new service pauses nothing', () => {
    const s = standing();
    s.setPolicy('op1', { thresholdBps: 5_000, minPaidCalls: 4 });
    paid(headlines.serviceId, false);
    expect(s.afterNonDelivery(headlines)).toEqual({ paused: false });
    expect(s.refusalFor('anyone', headlines)).toBeNull();
  });

  it('pauses for everyone once the rate passes the threshold, tells and audits for every operator, and only an operator resumes it', () => {
    const s = standing();
    s.setPolicy('op1', { thresholdBps: 5_000, minPaidCalls: 4 });
    paid(headlines.serviceId, true);
    paid(headlines.serviceId, true);
    paid(headlines.serviceId, false);
    paid(headlines.serviceId, false);
    // 2 of 4 is 50%: at the threshold, not past it.
    expect(s.afterNonDelivery(headlines)).toEqual({ paused: false });
    paid(headlines.serviceId, false);
    expect(s.afterNonDelivery(headlines)).toEqual({ paused: true });
    // A second non-delivery while paused pauses nothing more (one alert per pause).
    paid(headlines.serviceId, false);
    expect(s.afterNonDelivery(headlines)).toEqual({ paused: false });

    expect(s.refusalFor('u1', headlines)).toBe('service_paused');
    expect(s.refusalFor('someone-else', headlines)).toBe('service_paused');
    expect(s.paused()).toEqual([expect.objectContaining({ serviceId: headlines.serviceId, paidCalls: 5, nonDeliveryBps: 6_000, thresholdBps: 5_000 })]);
    expect(alerts.filter((a) => a.title === 'A service was paused').map((a) => a.userId)).toEqual(['op1', 'op2']);
    expect(audits.filter((a) => a.kind === 'service_paused')).toHaveLength(2);

    expect(s.resume('op2', headlines.serviceId)).toEqual({ ok: true });
    expect(s.refusalFor('u1', headlines)).toBeNull();
    expect(s.resume('op2', headlines.serviceId)).toEqual({ ok: false, reason: 'service_not_paused' });
    expect(audits).toContainEqual({ userId: 'op2', kind: 'service_resumed' });
    expect(alerts.filter((a) => a.title === 'A service was resumed')).toHaveLength(2);
  });

  it("counts only the calls made at the service's own origin: a provider that took its id elsewhere cannot pause it", () => {
    const s = standing();
    s.setPolicy('op1', { thresholdBps: 5_000, minPaidCalls: 4 });
    for (let i = 0; i < 3; i += 1) paid(headlines.serviceId, true);
    // An added manifest naming its service daily-ledger/headlines, failing on purpose.
    for (let i = 0; i < 6; i += 1) paid(headlines.serviceId, false, 'https://impostor.example');
    paid(headlines.serviceId, false);
    // 1 of 4 at the market's origin (25%), however many failed elsewhere.
    expect(s.afterNonDelivery(headlines)).toEqual({ paused: false });
    expect(s.refusalFor('anyone', headlines)).toBeNull();
  });

  it('uses the documented defaults until an operator sets the policy, and audits the change', () => {
    const s = standing();
    expect(s.policy()).toEqual({ thresholdBps: 5_000, minPaidCalls: 10 });
    expect(s.setPolicy('op1', { thresholdBps: 2_500, minPaidCalls: 20 })).toEqual({ thresholdBps: 2_500, minPaidCalls: 20 });
    expect(audits).toEqual([{ userId: 'op1', kind: 'pause_policy_changed' }]);
  });

  it('compares strictly above the threshold and at or above the minimum calls', () => {
    const policy = { thresholdBps: 5_000, minPaidCalls: 10 };
    expect(passesPauseThreshold({ paidCalls: 10, nonDeliveryBps: 5_001 }, policy)).toBe(true);
    expect(passesPauseThreshold({ paidCalls: 10, nonDeliveryBps: 5_000 }, policy)).toBe(false);
    expect(passesPauseThreshold({ paidCalls: 9, nonDeliveryBps: 10_000 }, policy)).toBe(false);
  });
});

describe('a person blocks a provider', () => {
  it('blocks for that person only, once, audited; unblocking (after its proof) lifts it', () => {
    const s = standing();
    expect(s.block('u1', { providerId: 'daily-ledger', providerName: 'Daily Ledger', disputeId: 'd1' })).toEqual({ ok: true, created: true });
    expect(s.block('u1', { providerId: 'daily-ledger', providerName: 'Daily Ledger', disputeId: 'd2' })).toEqual({ ok: true, created: false });
    expect(s.refusalFor('u1', headlines)).toBe('provider_blocked');
    expect(s.refusalFor('u2', headlines)).toBeNull();
    expect(s.blocked('u1')).toEqual([{ providerId: 'daily-ledger', providerName: 'Daily Ledger', disputeId: 'd1', blockedAt: new Date(NOW).toISOString() }]);
    expect(s.unblockProven('u1', 'daily-ledger', 'password')).toEqual({ ok: true });
    expect(s.unblockProven('u1', 'daily-ledger', 'password')).toEqual({ ok: false, reason: 'provider_not_blocked' });
    expect(s.refusalFor('u1', headlines)).toBeNull();
    expect(audits.map((a) => a.kind)).toEqual(['provider_blocked', 'provider_unblocked']);
  });
});

describe('formatShareBps', () => {
  it('reads basis points as a percentage with one decimal at most', () => {
    expect([formatShareBps(0), formatShareBps(833), formatShareBps(5_000), formatShareBps(6_667), formatShareBps(10_000), formatShareBps(4)]).toEqual(['0%', '8.3%', '50%', '66.7%', '100%', '0%']);
  });
});
