import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, signedMsat, usdCents } from './money';
import {
  formatCents,
  formatCharge,
  formatChargeRange,
  joinFiatRange,
  formatFee,
  formatFiat,
  formatSatsExact,
  formatSatsRange,
  formatSatsWhole,
  LESS_THAN_A_CENT,
} from './money-display';

// $100,000 per BTC: 1 sat = $0.001, so 10 sats = 1 cent.
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));

describe('whole sats in lists and cards', () => {
  it('rounds a charge up, so a fraction of a sat is never hidden', () => {
    expect(formatSatsWhole(msat(2_001), 'charge')).toBe('3 sats');
    expect(formatSatsWhole(msat(1), 'charge')).toBe('1 sat');
    expect(formatSatsWhole(msat(94_950_962), 'charge')).toBe('94,951 sats');
  });

  it('rounds a holding down, so nobody counts on money they do not have', () => {
    expect(formatSatsWhole(msat(94_950_962), 'holding')).toBe('94,950 sats');
    expect(formatSatsWhole(msat(999), 'holding')).toBe('0 sats');
  });

  it('leaves whole amounts as they are and keeps the sign of an outgoing movement', () => {
    expect(formatSatsWhole(msat(0), 'charge')).toBe('0 sats');
    expect(formatSatsWhole(msat(5_000_000), 'charge')).toBe('5,000 sats');
    expect(formatSatsWhole(signedMsat(-2_001), 'charge')).toBe('-3 sats');
    expect(formatSatsWhole(signedMsat(-500), 'holding')).toBe('0 sats');
  });

  it('never shows a charge below what it is, for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (amount) => {
        const shown = Number(formatSatsWhole(msat(amount), 'charge').replace(/ sats?$/, '').replaceAll(',', ''));
        expect(shown * 1000).toBeGreaterThanOrEqual(amount);
        expect(shown * 1000 - amount).toBeLessThan(1000);
      }),
    );
  });

  it('shows the exact amount in details', () => {
    expect(formatSatsExact(msat(2_001))).toBe('2.001 sats');
  });

  it('writes a price range once when both ends round to the same whole sat', () => {
    expect(formatSatsRange(msat(10_000), msat(15_000))).toBe('10–15 sats');
    expect(formatSatsRange(msat(1_500), msat(2_000))).toBe('2 sats');
  });
});

describe('fiat', () => {
  it('says "less than 1 cent" for a nonzero amount worth under a cent, never "$0.00"', () => {
    expect(formatFiat(msat(2_001), RATE, 'charge')).toBe(LESS_THAN_A_CENT);
    expect(formatFiat(msat(9_999), RATE, 'holding')).toBe(LESS_THAN_A_CENT);
    expect(formatFiat(msat(1), RATE, 'charge')).toBe(LESS_THAN_A_CENT);
    expect(formatFiat(msat(0), RATE, 'charge')).toBe('$0.00');
  });

  it('shows a cent from exactly one cent on, rounding a charge up and a holding down', () => {
    expect(formatFiat(msat(15_000), RATE, 'charge')).toBe('$0.02');
    expect(formatFiat(msat(15_000), RATE, 'holding')).toBe('$0.01');
    expect(formatFiat(msat(99_997_999), RATE, 'holding')).toBe('$99.99');
    expect(formatFiat(msat(10_000), RATE, 'charge')).toBe('$0.01');
    expect(formatFiat(msat(10_001), RATE, 'charge')).toBe('$0.02');
    expect(formatFiat(msat(10_001), RATE, 'holding')).toBe('$0.01');
    expect(formatFiat(msat(94_950_962), RATE, 'holding')).toBe('$94.95');
    expect(formatFiat(signedMsat(-50_000), RATE, 'charge')).toBe('-$0.05');
  });

  it('formats cents the server worked out, knowing when a zero hides a real amount', () => {
    expect(formatCents(usdCents(0), { nonzero: true })).toBe(LESS_THAN_A_CENT);
    expect(formatCents(usdCents(0))).toBe('$0.00');
    expect(formatCents(usdCents(150), { nonzero: true })).toBe('$1.50');
  });

  it('puts both units on a card, at the one rate it is given', () => {
    expect(formatCharge(msat(1_010_000), RATE)).toBe('$1.01 (1,010 sats)');
    expect(formatCharge(msat(2_001), RATE)).toBe('less than 1 cent (3 sats)');
    expect(formatChargeRange(msat(50_000), msat(100_000), RATE)).toBe('$0.05–$0.10 (50–100 sats)');
  });

  it('reads a range that starts under a cent as "up to", never "less than 1 cent–$0.02"', () => {
    expect(formatChargeRange(msat(1_000), msat(11_000), RATE)).toBe('up to $0.02 (1–11 sats)');
    expect(joinFiatRange(LESS_THAN_A_CENT, '$0.02')).toBe('up to $0.02');
    expect(joinFiatRange('$0.05', '$0.10')).toBe('$0.05–$0.10');
    expect(joinFiatRange('$0.10', '$0.10')).toBe('$0.10');
  });
});

describe('fees', () => {
  it('names a fee as a fee, rounded as a charge', () => {
    expect(formatFee(msat(1))).toBe('1 sat fee');
    expect(formatFee(msat(3_000))).toBe('3 sats fee');
    expect(formatFee(msat(0))).toBe('no fee');
  });
});
