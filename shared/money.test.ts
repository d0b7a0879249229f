import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MSAT_PER_BTC,
  addMsat,
  btcUsdRateFromCentsPerBtc,
  btcUsdRateSchema,
  formatBtc,
  formatSats,
  formatUsd,
  msat,
  msatSchema,
  msatToSatCeil,
  msatToSatFloor,
  msatToUsdCentsCeil,
  msatToUsdCentsRoundHalfUp,
  parseBtcUsdRate,
  parseMsat,
  parseSat,
  parseSignedMsat,
  parseUsdCents,
  sat,
  satToMsat,
  signedMsat,
  signedMsatSchema,
  subMsat,
  sumMsat,
  usdCents,
  usdCentsSchema,
  usdCentsToMsatCeil,
  usdCentsToMsatFloor,
} from './money';

const MAX = Number.MAX_SAFE_INTEGER;

describe('parsing', () => {
  it('accepts integers at the edges of the safe range', () => {
    expect(parseMsat(0)).toEqual({ ok: true, value: 0 });
    expect(parseMsat(MAX)).toEqual({ ok: true, value: MAX });
    expect(parseSignedMsat(-MAX)).toEqual({ ok: true, value: -MAX });
    expect(parseMsat('42')).toEqual({ ok: true, value: 42 });
    expect(parseMsat(42n)).toEqual({ ok: true, value: 42 });
    expect(parseSat(String(MAX))).toEqual({ ok: true, value: MAX });
  });

  it('normalises negative zero', () => {
    const parsed = parseMsat(-0);
    expect(parsed.ok && Object.is(parsed.value, 0)).toBe(true);
  });

  it('refuses non-integers, negatives and unsafe integers with a named reason', () => {
    expect(parseMsat(1.5)).toEqual({ ok: false, reason: 'not_an_integer' });
    expect(parseMsat('1.5')).toEqual({ ok: false, reason: 'not_an_integer' });
    expect(parseMsat(-1)).toEqual({ ok: false, reason: 'negative' });
    expect(parseUsdCents('-1')).toEqual({ ok: false, reason: 'negative' });
    expect(parseMsat(MAX + 1)).toEqual({ ok: false, reason: 'unsafe_integer' });
    expect(parseMsat(BigInt(MAX) + 1n)).toEqual({ ok: false, reason: 'unsafe_integer' });
    expect(parseMsat('9007199254740992')).toEqual({ ok: false, reason: 'unsafe_integer' });
    expect(parseSignedMsat(-MAX - 1)).toEqual({ ok: false, reason: 'unsafe_integer' });
    expect(parseMsat(Infinity)).toEqual({ ok: false, reason: 'unsafe_integer' });
    expect(parseMsat(NaN)).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMsat('1e3')).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMsat(' 1')).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMsat('')).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMsat(null)).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMsat({ valueOf: () => 3 })).toEqual({ ok: false, reason: 'not_a_number' });
  });

  it('trusted constructors throw on what the parsers refuse', () => {
    expect(() => msat(-1)).toThrow(/negative/);
    expect(() => sat(0.1)).toThrow(/not_an_integer/);
    expect(() => usdCents(MAX + 2)).toThrow(/unsafe_integer/);
    expect(signedMsat(-5)).toBe(-5);
    expect(() => msat(Number.NaN)).toThrow(/not_a_number/);
    expect(() => signedMsat(Number.NEGATIVE_INFINITY)).toThrow(/unsafe_integer/);
    expect(() => signedMsat(-MAX - 2)).toThrow(/unsafe_integer/);
    expect(Object.is(msat(-0), 0)).toBe(true);
    expect(Object.is(signedMsat(-0), 0)).toBe(true);
  });
});

describe('arithmetic', () => {
  it('adds and subtracts within the safe range', () => {
    expect(addMsat(msat(1), msat(2))).toBe(3);
    expect(subMsat(msat(5), msat(5))).toBe(0);
    expect(sumMsat([msat(1), msat(2), msat(3)])).toBe(6);
    expect(sumMsat([])).toBe(0);
  });

  it('asserts instead of going negative or overflowing', () => {
    expect(() => subMsat(msat(1), msat(2))).toThrow(/negative/);
    expect(() => addMsat(msat(MAX), msat(1))).toThrow(/unsafe_integer/);
  });
});

describe('sat <-> msat', () => {
  it('rounds in the direction named', () => {
    expect(msatToSatFloor(msat(1999))).toBe(1);
    expect(msatToSatCeil(msat(1001))).toBe(2);
    expect(msatToSatFloor(msat(2000))).toBe(2);
    expect(msatToSatCeil(msat(2000))).toBe(2);
    expect(msatToSatCeil(msat(0))).toBe(0);
    expect(satToMsat(sat(3))).toBe(3000);
  });

  it('refuses a sat amount whose msat value is unsafe', () => {
    expect(() => satToMsat(sat(Math.floor(MAX / 1000) + 1))).toThrow(/unsafe_integer/);
  });

  it('floor <= exact <= ceil, differing by at most one sat', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), (n) => {
        const floor = msatToSatFloor(msat(n));
        const ceil = msatToSatCeil(msat(n));
        expect(BigInt(floor) * 1000n <= BigInt(n)).toBe(true);
        expect(BigInt(ceil) * 1000n >= BigInt(n)).toBe(true);
        expect(ceil - floor).toBe(n % 1000 === 0 ? 0 : 1);
      }),
    );
  });
});

describe('exchange rates', () => {
  const rate95k = btcUsdRateFromCentsPerBtc(usdCents(9_500_000)); // $95,000.00 per BTC

  it('keeps the rate as a reduced exact ratio', () => {
    expect(rate95k).toEqual({ usdCents: 19, perMsat: 200_000 }); // 9.5M / 1e11
    expect(parseBtcUsdRate('95000')).toEqual({ ok: true, value: rate95k });
    expect(parseBtcUsdRate('95000.00')).toEqual({ ok: true, value: rate95k });
    expect(parseBtcUsdRate('95123.4567')).toEqual({
      ok: true,
      value: { usdCents: 951_234_567, perMsat: 10_000_000_000_000 },
    });
  });

  it('refuses rates that are not positive decimals', () => {
    expect(parseBtcUsdRate('0')).toEqual({ ok: false, reason: 'not_positive' });
    expect(parseBtcUsdRate('0.000')).toEqual({ ok: false, reason: 'not_positive' });
    expect(parseBtcUsdRate('-1')).toEqual({ ok: false, reason: 'not_a_decimal' });
    expect(parseBtcUsdRate('1e5')).toEqual({ ok: false, reason: 'not_a_decimal' });
    expect(parseBtcUsdRate('1.123456789')).toEqual({ ok: false, reason: 'too_precise' });
    expect(() => btcUsdRateFromCentsPerBtc(usdCents(0))).toThrow(/positive/);
  });

  it('converts with the rounding its name says', () => {
    // 1 sat at $95,000/BTC is 0.095 cents.
    expect(msatToUsdCentsRoundHalfUp(msat(1000), rate95k)).toBe(0);
    expect(msatToUsdCentsCeil(msat(1000), rate95k)).toBe(1);
    // 0.5 cents exactly rounds up: 0.5 / 9.5M * 1e11 msat = 5263.157.. so use a rate where it is exact.
    const rate100k = btcUsdRateFromCentsPerBtc(usdCents(10_000_000)); // 1 cent = 10_000 msat
    expect(msatToUsdCentsRoundHalfUp(msat(5_000), rate100k)).toBe(1);
    expect(msatToUsdCentsRoundHalfUp(msat(4_999), rate100k)).toBe(0);
    expect(msatToUsdCentsCeil(msat(10_000), rate100k)).toBe(1);
    expect(msatToUsdCentsCeil(msat(10_001), rate100k)).toBe(2);
    expect(usdCentsToMsatFloor(usdCents(1), rate95k)).toBe(10_526); // 10526.31..
    expect(usdCentsToMsatCeil(usdCents(1), rate95k)).toBe(10_527);
    expect(usdCentsToMsatCeil(usdCents(100), rate100k)).toBe(1_000_000);
    expect(msatToUsdCentsRoundHalfUp(msat(MSAT_PER_BTC), rate95k)).toBe(9_500_000);
  });

  it('is exact for amounts whose float product would lose precision', () => {
    const rate = parseBtcUsdRate('123456.789');
    if (!rate.ok) throw new Error('rate');
    const amount = msat(MAX);
    const exact = (BigInt(MAX) * BigInt(rate.value.usdCents)) / BigInt(rate.value.perMsat);
    expect(BigInt(msatToUsdCentsCeil(amount, rate.value)) - exact).toBe(1n);
  });

  it('asserts when a conversion leaves the safe range', () => {
    const tinyRate = { usdCents: 1, perMsat: 1_000_000 };
    expect(() => usdCentsToMsatCeil(usdCents(MAX), tinyRate)).toThrow(/overflows/);
  });

  it('round trips never lose value in the conservative direction', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.integer({ min: 1_000_000, max: 20_000_000 }),
        (cents, centsPerBtc) => {
          const rate = btcUsdRateFromCentsPerBtc(usdCents(centsPerBtc));
          const worth = (amountMsat: number) => BigInt(amountMsat) * BigInt(rate.usdCents);
          const target = BigInt(cents) * BigInt(rate.perMsat);
          // Ceil: the least msat worth at least the cents.
          const neededMsat = usdCentsToMsatCeil(usdCents(cents), rate);
          expect(worth(neededMsat) >= target && worth(neededMsat - 1) < target).toBe(true);
          // Floor: the most msat worth at most the cents.
          const coveredMsat = usdCentsToMsatFloor(usdCents(cents), rate);
          expect(worth(coveredMsat) <= target && worth(coveredMsat + 1) > target).toBe(true);
          expect(neededMsat - coveredMsat).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('formatting', () => {
  it('formats sats, keeping msat remainders', () => {
    expect(formatSats(msat(0))).toBe('0 sats');
    expect(formatSats(msat(1000))).toBe('1 sat');
    expect(formatSats(msat(1_234_000))).toBe('1,234 sats');
    expect(formatSats(msat(1_234_500))).toBe('1,234.5 sats');
    expect(formatSats(msat(1))).toBe('0.001 sats');
    expect(formatSats(signedMsat(-2_500))).toBe('-2.5 sats');
    expect(formatSats(msat(MAX))).toBe('9,007,199,254,740.991 sats');
  });

  it('formats BTC with 8 decimals, more only for msat', () => {
    expect(formatBtc(msat(0))).toBe('0.00000000 BTC');
    expect(formatBtc(msat(12_345_000))).toBe('0.00012345 BTC');
    expect(formatBtc(msat(MSAT_PER_BTC * 21))).toBe('21.00000000 BTC');
    expect(formatBtc(msat(1))).toBe('0.00000000001 BTC');
    expect(formatBtc(msat(1_500))).toBe('0.000000015 BTC');
    expect(formatBtc(signedMsat(-100_000_000_000_000))).toBe('-1,000.00000000 BTC');
  });

  it('formats USD', () => {
    expect(formatUsd(usdCents(0))).toBe('$0.00');
    expect(formatUsd(usdCents(5))).toBe('$0.05');
    expect(formatUsd(usdCents(123_456_789))).toBe('$1,234,567.89');
  });
});

describe('zod schemas', () => {
  it('validate API input with the same rules as the parsers', () => {
    expect(msatSchema.parse(5)).toBe(5);
    expect(msatSchema.safeParse(-1).success).toBe(false);
    expect(msatSchema.safeParse(1.5).success).toBe(false);
    expect(msatSchema.safeParse(MAX + 1).success).toBe(false);
    expect(msatSchema.safeParse('5').success).toBe(false); // JSON numbers only
    expect(signedMsatSchema.parse(-5)).toBe(-5);
    expect(usdCentsSchema.safeParse(-5).success).toBe(false);
    const failure = msatSchema.safeParse(-1);
    expect(failure.success ? '' : failure.error.issues[0]?.message).toBe('Msat: negative');
    expect(btcUsdRateSchema.safeParse({ usdCents: 19, perMsat: 0 }).success).toBe(false);
    expect(btcUsdRateSchema.parse({ usdCents: 19, perMsat: 200_000 })).toEqual({
      usdCents: 19,
      perMsat: 200_000,
    });
  });
});
