// Budget arithmetic: what counts as used, what a limit is worth in msat, and how both are shown.
//
// Rounding, chosen so that conversions can only make us more careful, never let more through:
// - a limit chosen in USD becomes msat rounding DOWN (usdCentsToMsatFloor): the msat we allow are
//   never worth more than the dollars the person chose;
// - a spend or usage in msat becomes cents rounding UP (msatToUsdCentsCeil): a spend counts as at
//   least its full fiat value when compared with a fiat tier.
// Both use the rate locked for the decision at hand (the quote's), so one decision sees one price.
import type { MoneyLimit } from '../../../shared/governance';
import {
  formatSats,
  formatUsd,
  msat,
  msatToUsdCentsCeil,
  msatToUsdCentsRoundHalfUp,
  usdCentsToMsatFloor,
  type BtcUsdRate,
  type Msat,
  type UsdCents,
} from '../../../shared/money';

/** Money a set of reservations takes from a budget, split by where it stands. */
export interface BudgetUsage {
  /** Paid and settled: amount + routing fee actually paid. */
  postedMsat: Msat;
  /** Held for payments still in flight, excluding their routing-fee allowance. */
  pendingMsat: Msat;
  /** The routing-fee allowance of in-flight payments: counted until the real fee is known. */
  feeReserveMsat: Msat;
  /** Refund and dispute credits that belong to these spends. */
  creditedMsat: Msat;
}

export const EMPTY_USAGE: BudgetUsage = {
  postedMsat: msat(0),
  pendingMsat: msat(0),
  feeReserveMsat: msat(0),
  creditedMsat: msat(0),
};

/**
 * posted + pending + fee reserve - credits, never below zero. Counting what is in flight is what
 * makes concurrent spends unable to overshoot: each reservation sees the others' holds.
 */
export function usedMsat(usage: BudgetUsage): Msat {
  const gross = usage.postedMsat + usage.pendingMsat + usage.feeReserveMsat;
  return msat(Math.max(0, gross - usage.creditedMsat));
}

/** The msat a chosen limit allows at this rate, rounded down (see the top of this file). */
export function limitToMsat(limit: MoneyLimit, rate: BtcUsdRate): Msat {
  return limit.unit === 'sat' ? limit.msat : usdCentsToMsatFloor(limit.usdCents, rate);
}

/** The fiat value a spend counts as against fiat tiers and caps: rounded up. */
export function spendToUsdCents(amount: Msat, rate: BtcUsdRate): UsdCents {
  return msatToUsdCentsCeil(amount, rate);
}

/** "$0.04 (40 sats)": a spend in both units, its fiat value rounded up as the policy counts it. */
export function formatSpend(amount: Msat, rate: BtcUsdRate): string {
  return `${formatUsd(spendToUsdCents(amount, rate))} (${formatSats(amount)})`;
}

/** A limit in the unit the person chose first, then the other at this rate. */
export function formatLimit(limit: MoneyLimit, rate: BtcUsdRate): string {
  if (limit.unit === 'usd') return `${formatUsd(limit.usdCents)} (${formatSats(limitToMsat(limit, rate))})`;
  return `${formatSats(limit.msat)} (${formatUsd(msatToUsdCentsRoundHalfUp(limit.msat, rate))})`;
}

/** Everything a budget screen shows, in both units. */
export interface BudgetSummary {
  limit: MoneyLimit | null;
  limitMsat: Msat | null;
  usedMsat: Msat;
  /** Null when there is no limit. */
  remainingMsat: Msat | null;
  /** Usage in cents, rounded up. */
  usedUsdCents: UsdCents;
  /** For a USD limit, exactly what was chosen; for a sat limit, its value at the rate (nearest cent). */
  limitUsdCents: UsdCents | null;
  /** Floor of used / limit in whole percent; may exceed 100 after an authorized overage. Null: no limit. */
  percentUsed: number | null;
}

export function summarizeBudget(limit: MoneyLimit | null, usage: BudgetUsage, rate: BtcUsdRate): BudgetSummary {
  const used = usedMsat(usage);
  const usedUsdCents = spendToUsdCents(used, rate);
  if (limit === null) {
    return { limit, limitMsat: null, usedMsat: used, remainingMsat: null, usedUsdCents, limitUsdCents: null, percentUsed: null };
  }
  const limitMsat = limitToMsat(limit, rate);
  return {
    limit,
    limitMsat,
    usedMsat: used,
    remainingMsat: msat(Math.max(0, limitMsat - used)),
    usedUsdCents,
    limitUsdCents: limit.unit === 'usd' ? limit.usdCents : msatToUsdCentsRoundHalfUp(limit.msat, rate),
    percentUsed: percentOf(used, limitMsat),
  };
}

/** floor(part * 100 / whole) computed exactly; a zero whole counts as fully used. */
export function percentOf(part: Msat, whole: Msat): number {
  if (whole === 0) return part === 0 ? 0 : 100;
  return Number((BigInt(part) * 100n) / BigInt(whole));
}
