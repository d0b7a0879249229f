import { describe, expect, it } from 'vitest';
import type { GovernanceAlert } from '../../../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import { alertKey, alertMessage, lowBalanceAlert, priceDriftAlert, thresholdReached, thresholdsCrossed } from './alerts';

const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000)); // 1 cent = 10,000 msat
const LIMIT = msat(1_000_000);

function crossed(used: number, alreadyFired: number[] = [], thresholdsPercent = [50, 80, 100]) {
  return thresholdsCrossed({ usedMsat: msat(used), limitMsat: LIMIT, thresholdsPercent, alreadyFired });
}

describe('thresholdsCrossed', () => {
  it('fires a threshold exactly at it, not one msat below', () => {
    expect(crossed(499_999)).toEqual([]);
    expect(crossed(500_000)).toEqual([50]);
    expect(crossed(799_999, [50])).toEqual([]);
    expect(crossed(800_000, [50])).toEqual([80]);
    expect(crossed(999_999, [50, 80])).toEqual([]);
    expect(crossed(1_000_000, [50, 80])).toEqual([100]);
  });

  it('fires each threshold once per period: already fired ones never come back', () => {
    expect(crossed(1_200_000, [50, 80, 100])).toEqual([]);
    expect(crossed(900_000, new Set([80]) as never)).toEqual([50]);
  });

  it('fires every unfired threshold a single spend jumps over, lowest first', () => {
    expect(crossed(1_000_000)).toEqual([50, 80, 100]);
    expect(crossed(850_000, [], [80, 10, 50])).toEqual([10, 50, 80]);
  });

  it('uses the person\'s own list, including an empty one', () => {
    expect(crossed(1_000_000, [], [])).toEqual([]);
    expect(crossed(250_000, [], [25, 75])).toEqual([25]);
  });

  it('is exact for limits that do not divide by 100', () => {
    expect(thresholdReached(msat(1), msat(3), 33)).toBe(true); // 100 >= 99
    expect(thresholdReached(msat(1), msat(3), 34)).toBe(false); // 100 < 102
    expect(thresholdReached(msat(Number.MAX_SAFE_INTEGER), msat(Number.MAX_SAFE_INTEGER), 100)).toBe(true);
  });
});

describe('lowBalanceAlert', () => {
  const threshold = msat(10_000);
  it('fires when the balance drops below the threshold, once', () => {
    expect(lowBalanceAlert({ beforeMsat: msat(10_000), afterMsat: msat(9_999), thresholdMsat: threshold })).toEqual({
      kind: 'low_balance',
      availableMsat: 9_999,
      thresholdMsat: 10_000,
    });
    expect(lowBalanceAlert({ beforeMsat: msat(9_999), afterMsat: msat(5_000), thresholdMsat: threshold })).toBeNull();
    expect(lowBalanceAlert({ beforeMsat: msat(20_000), afterMsat: msat(10_000), thresholdMsat: threshold })).toBeNull();
  });
});

describe('priceDriftAlert', () => {
  const drift = (quoted: number, invoice: number, tolerance = 500) =>
    priceDriftAlert({ serviceId: 'jokes', quotedMsat: msat(quoted), invoiceMsat: msat(invoice), toleranceBasisPoints: tolerance });

  it('allows exactly the tolerance and alerts one msat beyond', () => {
    expect(drift(100_000, 105_000)).toBeNull(); // exactly 5%
    expect(drift(100_000, 105_001)).toMatchObject({ kind: 'price_drift', driftBasisPoints: 501 });
    expect(drift(100_000, 90_000)).toBeNull(); // cheaper is fine
    expect(drift(3, 4, 3_333)).toMatchObject({ driftBasisPoints: 3_334 }); // rounded up
  });

  it('refuses a zero quote as a bug', () => {
    expect(() => drift(0, 1)).toThrow(/positive quoted/);
  });
});

describe('alert keys and messages', () => {
  const alerts: GovernanceAlert[] = [
    { kind: 'budget_threshold', periodKey: '2026-03', thresholdPercent: 80, usedMsat: msat(820_000), limitMsat: LIMIT },
    { kind: 'budget_threshold', periodKey: '2026-03', thresholdPercent: 100, usedMsat: msat(1_000_000), limitMsat: LIMIT },
    { kind: 'low_balance', availableMsat: msat(9_000), thresholdMsat: msat(10_000) },
    { kind: 'approval_waiting', approvalId: 'a1', serviceId: 'jokes', maxMsat: msat(1_000_000), waitingSinceMs: 0 },
    { kind: 'price_drift', serviceId: 'jokes', quotedMsat: msat(100_000), invoiceMsat: msat(112_500), driftBasisPoints: 1_250 },
    { kind: 'payment_failed', serviceId: 'jokes', paymentHash: 'ab'.repeat(32), reason: 'no_route' },
    { kind: 'dispute_update', disputeId: 'd1', status: 'credit_issued' },
  ];

  it('gives each occurrence its own key', () => {
    expect(new Set(alerts.map(alertKey)).size).toBe(alerts.length);
    expect(alertKey(alerts[0] as GovernanceAlert)).toBe('budget_threshold:2026-03:80');
  });

  it('words every kind with amounts in both units', () => {
    expect(alerts.map((alert) => alertMessage(alert, RATE))).toEqual([
      'You have used 82% of your monthly budget: $0.82 (820 sats) of $1.00 (1,000 sats).',
      'You have used your whole monthly budget: $1.00 (1,000 sats) of $1.00 (1,000 sats).',
      'Your wallet is running low: 9 sats (less than 1 cent) left, under your 10 sats alert.',
      'A payment of up to $1.00 (1,000 sats) to jokes is waiting for your approval.',
      'jokes asked for 112.5 sats, 12.5% more than the 100 sats it quoted.',
      'A payment to jokes failed (no_route); nothing was spent from your budget for it.',
      'Your dispute d1 is now credit issued.',
    ]);
  });
});
