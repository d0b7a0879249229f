import { describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, parseBtcUsdRate, usdCents, type Msat } from '../../../shared/money';
import { EMPTY_USAGE, formatLimit, formatSpend, limitToMsat, percentOf, summarizeBudget, usedMsat } from './budget';

const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000)); // 1 cent = 10,000 msat
const usage = (posted: number, pending: number, feeReserve: number, credited: number) => ({
  postedMsat: msat(posted),
  pendingMsat: msat(pending),
  feeReserveMsat: msat(feeReserve),
  refundCreditMsat: msat(credited),
});

describe('usedMsat', () => {
  it('is posted + pending + fee reserve - credits', () => {
    expect(usedMsat(usage(1_000, 200, 30, 100))).toBe(1_130);
    expect(usedMsat(EMPTY_USAGE)).toBe(0);
  });
  it('never goes below zero when credits exceed spends', () => {
    expect(usedMsat(usage(100, 0, 0, 500))).toBe(0);
  });
});

describe('limits and rounding', () => {
  const awkward = parseBtcUsdRate('95123.4567');
  if (!awkward.ok) throw new Error('rate');

  it('a USD limit becomes msat rounded down, never worth more than chosen', () => {
    const limitMsat = limitToMsat({ unit: 'usd', usdCents: usdCents(2_000) }, awkward.value);
    // 2000 cents / 9512345.67 cents per BTC * 1e11 msat = 21,025,308.26... msat -> floor
    expect(limitMsat).toBe(21_025_308);
    expect(formatSpend(limitMsat, awkward.value)).toBe('$20.00 (21,025.308 sats)');
    expect(formatSpend(msat(limitMsat + 1), awkward.value)).toBe('$20.01 (21,025.309 sats)');
    // Under a cent is said so, never "$0.01" for a tenth of one (issue 14: money shown honestly).
    expect(formatSpend(msat(2_001), awkward.value)).toBe('2.001 sats (less than 1 cent)');
  });

  it('a sat limit is used as chosen', () => {
    expect(limitToMsat({ unit: 'sat', msat: msat(5_000_000) }, awkward.value)).toBe(5_000_000);
  });

  it('formats limits in the chosen unit first', () => {
    expect(formatLimit({ unit: 'usd', usdCents: usdCents(2_000) }, RATE)).toBe('$20.00 (20,000 sats)');
    expect(formatLimit({ unit: 'sat', msat: msat(5_000_000) }, RATE)).toBe('5,000 sats ($5.00)');
  });
});

describe('summarizeBudget', () => {
  it('shows both units and what remains', () => {
    const summary = summarizeBudget({ unit: 'usd', usdCents: usdCents(2_000) }, usage(15_000_000, 1_000_000, 5_001, 0), RATE);
    expect(summary).toEqual({
      limit: { unit: 'usd', usdCents: 2_000 },
      limitMsat: 20_000_000,
      usedMsat: 16_005_001,
      remainingMsat: 3_994_999,
      usedUsdCents: 1_601, // rounded up
      limitUsdCents: 2_000,
      percentUsed: 80,
    });
  });

  it('reports overage as more than 100% and nothing remaining', () => {
    const summary = summarizeBudget({ unit: 'sat', msat: msat(1_000_000) }, usage(1_500_000, 0, 0, 0), RATE);
    expect(summary).toMatchObject({ remainingMsat: 0, percentUsed: 150, limitUsdCents: 100 });
  });

  it('has no remaining or percent without a limit', () => {
    expect(summarizeBudget(null, usage(10, 0, 0, 0), RATE)).toMatchObject({ limitMsat: null, remainingMsat: null, percentUsed: null, usedMsat: 10 });
  });

  it('percentOf is exact floor and treats a zero whole as full', () => {
    expect(percentOf(msat(799_999), msat(1_000_000))).toBe(79);
    expect(percentOf(msat(0), msat(0) as Msat)).toBe(0);
    expect(percentOf(msat(1), msat(0))).toBe(100);
  });
});
