/**
 * What a top-up buys and whether a person may make it: pure functions over the locked rate, the
 * operator's spread and the configured limits. The person gets whole sats and never more than the
 * money buys after the spread (every division rounds down, in the operator's favour by < 1 sat).
 */
import { MSAT_PER_SAT, SAT_PER_BTC, msat, usdCents, usdCentsToMsatFloor, type BtcUsdRate, type UsdCents } from '../../../shared/money';
import type { TopUpLimits, TopUpQuote } from '../../../shared/topups';

const BPS = 10_000n;

export type QuoteOutcome = { ok: true; quote: TopUpQuote } | { ok: false; reason: 'top_up_too_small_for_rate' };

export function quoteTopUp(amountUsdCents: UsdCents, rate: BtcUsdRate, spreadBps: number): QuoteOutcome {
  const grossMsat = BigInt(usdCentsToMsatFloor(amountUsdCents, rate));
  const netSats = (grossMsat * (BPS - BigInt(spreadBps))) / BPS / BigInt(MSAT_PER_SAT);
  if (netSats <= 0n) return { ok: false, reason: 'top_up_too_small_for_rate' };
  const effective = (BigInt(amountUsdCents) * BigInt(SAT_PER_BTC)) / netSats;
  return {
    ok: true,
    quote: {
      amountUsdCents,
      amountMsat: msat(Number(netSats) * MSAT_PER_SAT),
      rate: { usdCents: rate.usdCents, perMsat: rate.perMsat },
      spreadBps,
      effectiveCentsPerBtc: usdCents(Number(effective)),
    },
  };
}

export type LimitRefusal = 'top_up_below_minimum' | 'top_up_above_maximum' | 'top_up_daily_limit';

/** `usedTodayUsdCents`: what the person's top-ups of the last 24 hours already hold (paid or open). */
export function checkTopUpLimits(
  amountUsdCents: UsdCents,
  usedTodayUsdCents: number,
  limits: TopUpLimits,
): { ok: true } | { ok: false; reason: LimitRefusal } {
  if (amountUsdCents < limits.minUsdCents) return { ok: false, reason: 'top_up_below_minimum' };
  if (amountUsdCents > limits.maxUsdCents) return { ok: false, reason: 'top_up_above_maximum' };
  if (usedTodayUsdCents + amountUsdCents > limits.perDayUsdCents) return { ok: false, reason: 'top_up_daily_limit' };
  return { ok: true };
}
