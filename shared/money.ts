// Money as branded integers in the smallest unit, with the unit in the type's name.
// Floats never hold money: every conversion that divides says how it rounds in its name, and runs in
// BigInt so intermediate products cannot lose precision. Runs in the browser too (no node-only APIs).
import { z } from 'zod';

declare const signedMsatBrand: unique symbol;
declare const msatBrand: unique symbol;
declare const satBrand: unique symbol;
declare const usdCentsBrand: unique symbol;

/** Millisatoshis that may be negative: balances of external accounts and ledger entry deltas. */
export type SignedMsat = number & { readonly [signedMsatBrand]: true };
/** A non-negative amount in millisatoshis (1 sat = 1000 msat); usable wherever a SignedMsat is. */
export type Msat = SignedMsat & { readonly [msatBrand]: true };
/** A non-negative amount in whole satoshis. */
export type Sat = number & { readonly [satBrand]: true };
/** A non-negative amount in US cents. */
export type UsdCents = number & { readonly [usdCentsBrand]: true };

export const MSAT_PER_SAT = 1000;
export const SAT_PER_BTC = 100_000_000;
export const MSAT_PER_BTC = MSAT_PER_SAT * SAT_PER_BTC;

export type MoneyParseFailure = 'not_a_number' | 'not_an_integer' | 'negative' | 'unsafe_integer';
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: MoneyParseFailure };

/**
 * Reads an integer from a number, a bigint or a plain decimal string ("-12", "300"). Exponent and
 * fraction forms in strings are refused rather than guessed at, since they usually mean a unit mix-up.
 */
function parseInteger(input: unknown, allowNegative: boolean): Parsed<number> {
  let value: number;
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return { ok: false, reason: 'not_a_number' };
    if (!Number.isFinite(input)) return { ok: false, reason: 'unsafe_integer' };
    if (!Number.isInteger(input)) return { ok: false, reason: 'not_an_integer' };
    value = input;
  } else if (typeof input === 'bigint') {
    if (input > BigInt(Number.MAX_SAFE_INTEGER) || input < BigInt(Number.MIN_SAFE_INTEGER)) {
      return { ok: false, reason: 'unsafe_integer' };
    }
    value = Number(input);
  } else if (typeof input === 'string') {
    if (/^-?\d+\.\d+$/.test(input)) return { ok: false, reason: 'not_an_integer' };
    if (!/^-?\d+$/.test(input)) return { ok: false, reason: 'not_a_number' };
    const big = BigInt(input);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      return { ok: false, reason: 'unsafe_integer' };
    }
    value = Number(big);
  } else {
    return { ok: false, reason: 'not_a_number' };
  }
  if (!Number.isSafeInteger(value)) return { ok: false, reason: 'unsafe_integer' };
  if (value < 0 && !allowNegative) return { ok: false, reason: 'negative' };
  return { ok: true, value: value === 0 ? 0 : value }; // normalises -0
}

export const parseMsat = (input: unknown) => parseInteger(input, false) as Parsed<Msat>;
export const parseSignedMsat = (input: unknown) => parseInteger(input, true) as Parsed<SignedMsat>;
export const parseSat = (input: unknown) => parseInteger(input, false) as Parsed<Sat>;
export const parseUsdCents = (input: unknown) => parseInteger(input, false) as Parsed<UsdCents>;

function assertParsed<T>(parsed: Parsed<T>, unit: string, input: unknown): T {
  if (!parsed.ok) throw new Error(`invalid ${unit} (${parsed.reason}): ${String(input)}`);
  return parsed.value;
}

/**
 * The trusted constructors' path: a safe integer (not negative, unless allowed) is its own value, -0
 * made 0, with no parse result built (they run many times per spend decision); anything else goes
 * through parseInteger, for its reason, and throws.
 */
function trustedInteger(n: number, allowNegative: boolean, unit: string): number {
  if (Number.isSafeInteger(n) && (allowNegative || n >= 0)) return n === 0 ? 0 : n;
  return assertParsed(parseInteger(n, allowNegative), unit, n);
}

/** Trusted constructors: for literals and values already validated. A bad value is a bug: they throw. */
export const msat = (n: number): Msat => trustedInteger(n, false, 'Msat') as Msat;
export const signedMsat = (n: number): SignedMsat => trustedInteger(n, true, 'SignedMsat') as SignedMsat;
export const sat = (n: number): Sat => trustedInteger(n, false, 'Sat') as Sat;
export const usdCents = (n: number): UsdCents => trustedInteger(n, false, 'UsdCents') as UsdCents;

export const ZERO_MSAT = msat(0);

export function addMsat(a: Msat, b: Msat): Msat {
  return msat(a + b); // msat() asserts the sum is still a safe integer
}

/** Subtracting more than there is would be a bug in the caller's check, not an expected outcome. */
export function subMsat(a: Msat, b: Msat): Msat {
  if (b > a) throw new Error(`subMsat would go negative: ${a} - ${b}`);
  return msat(a - b);
}

export function sumMsat(amounts: readonly Msat[]): Msat {
  return amounts.reduce<Msat>((total, amount) => addMsat(total, amount), ZERO_MSAT);
}

export function satToMsat(amount: Sat): Msat {
  return msat(amount * MSAT_PER_SAT);
}

export function msatToSatFloor(amount: Msat): Sat {
  return sat(Math.floor(amount / MSAT_PER_SAT)); // exact: both operands are safe integers
}

export function msatToSatCeil(amount: Msat): Sat {
  return sat(Math.ceil(amount / MSAT_PER_SAT));
}

/**
 * A BTC/USD exchange rate as an exact ratio: `usdCents` cents buy `perMsat` msat. Both are positive
 * safe integers so the rate serialises as plain JSON (quotes lock a rate and store it).
 */
export interface BtcUsdRate {
  readonly usdCents: number;
  readonly perMsat: number;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function reducedRate(usdCentsBig: bigint, perMsatBig: bigint): BtcUsdRate | null {
  if (usdCentsBig <= 0n || perMsatBig <= 0n) return null;
  const divisor = gcd(usdCentsBig, perMsatBig);
  const rate = { usdCents: Number(usdCentsBig / divisor), perMsat: Number(perMsatBig / divisor) };
  return Number.isSafeInteger(rate.usdCents) && Number.isSafeInteger(rate.perMsat) ? rate : null;
}

/** The rate for a price quoted in whole cents per bitcoin, e.g. 9_500_000 for $95,000.00. */
export function btcUsdRateFromCentsPerBtc(centsPerBtc: UsdCents): BtcUsdRate {
  const rate = reducedRate(BigInt(centsPerBtc), BigInt(MSAT_PER_BTC));
  if (rate === null) throw new Error(`a rate needs a positive price, got ${centsPerBtc} cents/BTC`);
  return rate;
}

export type RateParseFailure = 'not_a_decimal' | 'not_positive' | 'too_precise';

/**
 * Parses a USD-per-BTC price as price feeds print it ("95123.4567") into an exact ratio, keeping
 * every digit. Up to 8 fractional digits; more cannot be kept within safe integers.
 */
export function parseBtcUsdRate(
  usdPerBtc: string,
): { ok: true; value: BtcUsdRate } | { ok: false; reason: RateParseFailure } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(usdPerBtc);
  if (!match) return { ok: false, reason: 'not_a_decimal' };
  const fraction = match[2] ?? '';
  if (fraction.length > 8) return { ok: false, reason: 'too_precise' };
  // usd = digits / 10^f, so cents per BTC = digits * 100 / 10^f, over MSAT_PER_BTC msat.
  const digits = BigInt((match[1] ?? '') + fraction);
  if (digits === 0n) return { ok: false, reason: 'not_positive' };
  const rate = reducedRate(digits * 100n, BigInt(MSAT_PER_BTC) * 10n ** BigInt(fraction.length));
  return rate === null ? { ok: false, reason: 'too_precise' } : { ok: true, value: rate };
}

type Rounding = 'floor' | 'ceil' | 'half_up';

/** numerator / denominator for non-negative operands, rounded as named. */
function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n || rounding === 'floor') return quotient;
  if (rounding === 'ceil') return quotient + 1n;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

function toSafeNumber(value: bigint, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${what} overflows safe integers: ${value}`);
  return n;
}

function msatToUsdCents(amount: Msat, rate: BtcUsdRate, rounding: Rounding): UsdCents {
  const cents = divide(BigInt(amount) * BigInt(rate.usdCents), BigInt(rate.perMsat), rounding);
  return usdCents(toSafeNumber(cents, 'UsdCents'));
}

function usdCentsToMsat(amount: UsdCents, rate: BtcUsdRate, rounding: Rounding): Msat {
  const amountMsat = divide(BigInt(amount) * BigInt(rate.perMsat), BigInt(rate.usdCents), rounding);
  return msat(toSafeNumber(amountMsat, 'Msat'));
}

const fitsSafeInteger = (value: bigint) => value <= BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Whether cents convert to msat at `rate` (rounding down, as limits do) and those msat back to cents
 * (rounding up, as spends do) within safe integers. For checking a value before it is saved, so the
 * throwing conversions below can never meet it.
 */
export function usdCentsRoundTrip(amount: UsdCents, rate: BtcUsdRate): boolean {
  const amountMsat = divide(BigInt(amount) * BigInt(rate.perMsat), BigInt(rate.usdCents), 'floor');
  return fitsSafeInteger(amountMsat) && fitsSafeInteger(divide(amountMsat * BigInt(rate.usdCents), BigInt(rate.perMsat), 'ceil'));
}

/** Whether msat convert to cents at `rate` (rounding up) and back to msat within safe integers. */
export function msatRoundTrip(amount: Msat, rate: BtcUsdRate): boolean {
  const cents = divide(BigInt(amount) * BigInt(rate.usdCents), BigInt(rate.perMsat), 'ceil');
  return fitsSafeInteger(cents) && fitsSafeInteger(divide(cents * BigInt(rate.perMsat), BigInt(rate.usdCents), 'ceil'));
}

/** For display: the nearest cent, halves away from zero. */
export const msatToUsdCentsRoundHalfUp = (amount: Msat, rate: BtcUsdRate) =>
  msatToUsdCents(amount, rate, 'half_up');
/** For holdings shown in fiat (a balance): never more than is there. */
export const msatToUsdCentsFloor = (amount: Msat, rate: BtcUsdRate) =>
  msatToUsdCents(amount, rate, 'floor');
/** For budgets: a spend counts as at least its full fiat value. */
export const msatToUsdCentsCeil = (amount: Msat, rate: BtcUsdRate) =>
  msatToUsdCents(amount, rate, 'ceil');
/** For limits: how many msat a fiat allowance covers without exceeding it. */
export const usdCentsToMsatFloor = (amount: UsdCents, rate: BtcUsdRate) =>
  usdCentsToMsat(amount, rate, 'floor');
/** For top-ups: the msat needed to be worth at least the fiat amount. */
export const usdCentsToMsatCeil = (amount: UsdCents, rate: BtcUsdRate) =>
  usdCentsToMsat(amount, rate, 'ceil');

/** 1234567 -> "1,234,567"; done by hand so output does not depend on the runtime's locale data. */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Splits |value| by 10^decimals into grouped whole digits and the zero-padded fraction. */
function splitDecimal(value: number, decimals: number): { sign: string; whole: string; fraction: string } {
  const abs = BigInt(Math.abs(value));
  const scale = 10n ** BigInt(decimals);
  return {
    sign: value < 0 ? '-' : '',
    whole: groupThousands((abs / scale).toString()),
    fraction: (abs % scale).toString().padStart(decimals, '0'),
  };
}

/** "1,234 sats", "1 sat", "0.5 sats"; a msat remainder is shown, never rounded away. */
export function formatSats(amount: SignedMsat): string {
  const { sign, whole, fraction } = splitDecimal(amount, 3);
  const fractionShown = fraction.replace(/0+$/, '');
  const number = fractionShown === '' ? whole : `${whole}.${fractionShown}`;
  return `${sign}${number} ${number === '1' ? 'sat' : 'sats'}`;
}

/** "0.00012345 BTC": always 8 decimals, and up to 11 when there are msat. */
export function formatBtc(amount: SignedMsat): string {
  const { sign, whole, fraction } = splitDecimal(amount, 11);
  const msatDigits = fraction.slice(8).replace(/0+$/, '');
  return `${sign}${whole}.${fraction.slice(0, 8)}${msatDigits} BTC`;
}

/** "$1,234.56" */
export function formatUsd(amount: UsdCents): string {
  const { sign, whole, fraction } = splitDecimal(amount, 2);
  return `${sign}$${whole}.${fraction}`;
}

/** A zod number schema whose output is the branded type, refusing exactly what the parser refuses. */
function brandedNumberSchema<T>(parse: (input: unknown) => Parsed<T>, unit: string) {
  return z.number().transform((input, ctx): T => {
    const parsed = parse(input);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: `${unit}: ${parsed.reason}` });
    return z.NEVER;
  });
}

export const msatSchema = brandedNumberSchema(parseMsat, 'Msat');
export const signedMsatSchema = brandedNumberSchema(parseSignedMsat, 'SignedMsat');
export const satSchema = brandedNumberSchema(parseSat, 'Sat');
export const usdCentsSchema = brandedNumberSchema(parseUsdCents, 'UsdCents');
export const btcUsdRateSchema = z.object({
  usdCents: z.number().int().positive(),
  perMsat: z.number().int().positive(),
});
