import { describe, expect, it } from 'vitest';
import { checkAbuseLimit, monthStartUtcMs, refundAmountValid, routeOpening } from './rules';
import { sampleEvidence } from './test-support';

describe('routeOpening', () => {
  it('refunds at once what was paid and not delivered, whatever category was picked', () => {
    expect(routeOpening(sampleEvidence({ delivery: 'paid_not_delivered', deliveryReason: 'server_error' }), true)).toEqual({ route: 'refund', why: 'not_delivered' });
  });
  it('refunds at once a charge above what was approved', () => {
    expect(routeOpening(sampleEvidence({ amountMsat: 2_000, feeMsat: 200, approvedMaxMsat: 2_100 }), true)).toEqual({ route: 'refund', why: 'overcharged' });
  });
  it('sends everything to review for a provider a person added, not the operator', () => {
    expect(routeOpening(sampleEvidence({ delivery: 'paid_not_delivered', deliveryReason: 'server_error' }), false)).toEqual({ route: 'review' });
    expect(routeOpening(sampleEvidence({ amountMsat: 2_000, feeMsat: 200, approvedMaxMsat: 2_100 }), false)).toEqual({ route: 'review' });
  });
  it('sends a delivered answer charged within the approval to review', () => {
    expect(routeOpening(sampleEvidence({ amountMsat: 2_000, feeMsat: 100, approvedMaxMsat: 2_100 }), true)).toEqual({ route: 'review' });
  });
});

describe('checkAbuseLimit', () => {
  const base = { openedBy: 'person' as const, disputedMsat: 6_000, paidThisMonthMsat: 10_000, sharePercent: 50 };
  it('always accepts the first dispute of the month and every automatic one', () => {
    expect(checkAbuseLimit({ ...base, alreadyMsat: 0 })).toEqual({ ok: true });
    expect(checkAbuseLimit({ ...base, openedBy: 'automatic', alreadyMsat: 9_000 })).toEqual({ ok: true });
  });
  it('refuses a dispute that takes the month past the share, and says why', () => {
    const refused = checkAbuseLimit({ ...base, disputedMsat: 3_000, alreadyMsat: 2_001 });
    expect(refused).toMatchObject({ ok: false, allowedMsat: 5_000, alreadyMsat: 2_001 });
    expect(refused.ok ? '' : refused.why).toMatch(/50% of what you paid this month/);
    expect(checkAbuseLimit({ ...base, disputedMsat: 3_000, alreadyMsat: 2_000 })).toEqual({ ok: true });
  });
});

describe('refund amounts and months', () => {
  it('accepts a refund between one msat and what was paid', () => {
    expect([0, 1, 2_000, 2_001, 1.5].map((a) => refundAmountValid(a, 2_000))).toEqual([false, true, true, false, false]);
  });
  it('starts the month at midnight UTC on the first', () => {
    expect(new Date(monthStartUtcMs(Date.UTC(2026, 11, 6, 10, 0))).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });
});
