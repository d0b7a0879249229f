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
  signedMsat,
  usdCentsToMsatFloor,
  type BtcUsdRate,
  type Msat,
  type SignedMsat,
  type UsdCents,
} from '../../../shared/money';
import { formatFiat, LESS_THAN_A_CENT } from '../../../shared/money-display';

/**
 * Money a set of reservations takes from a budget, split by where it stands. The one definition of
 * budget usage: the typed usage columns hold exactly these four figures (kept by ./usage-totals.ts
 * with reservationUsage below), and every check reads usedMsat of them.
 */
export interface BudgetUsage {
  /** Paid and settled: amount + routing fee actually paid. */
  postedMsat: Msat;
  /** Held for payments still in flight, excluding their routing-fee allowance. */
  pendingMsat: Msat;
  /** The routing-fee allowance of in-flight payments: counted until the real fee is known. */
  feeReserveMsat: Msat;
  /** Refunds and dispute credits for these spends: money that came back lowers usage. */
  refundCreditMsat: Msat;
}

export const EMPTY_USAGE: BudgetUsage = {
  postedMsat: msat(0),
  pendingMsat: msat(0),
  feeReserveMsat: msat(0),
  refundCreditMsat: msat(0),
};

/**
 * posted + pending + fee reserve - refund credits, never below zero. Counting what is in flight is
 * what makes concurrent spends unable to overshoot: each reservation sees the others' holds.
 */
export function usedMsat(usage: BudgetUsage): Msat {
  const gross = usage.postedMsat + usage.pendingMsat + usage.feeReserveMsat;
  return msat(Math.max(0, gross - usage.refundCreditMsat));
}

/** A reservation as usage sees it: the hold, the part of it that is routing-fee allowance, and its end. */
export interface SpendForUsage {
  amountMsat: number;
  feeReserveMsat: number;
  resolution: { kind: 'post' | 'void' | 'expire'; amountMsat: number; feeMsat: number } | null;
}

/**
 * What one reservation adds to usage as it stands: while pending, its hold (the fee allowance apart);
 * once posted, what was paid plus the fee; once voided or expired, nothing. Stored totals change by
 * the difference between two of these, in the transaction that changes the reservation.
 */
export function reservationUsage(spend: SpendForUsage): BudgetUsage {
  const { resolution } = spend;
  // Whole literals, not `{ ...EMPTY_USAGE, ... }`: this runs on every spend decision, where spread
  // objects kept what they point to alive through young-generation collections
  // (docs/architecture.md, "What a spend decision costs").
  if (resolution === null) {
    return { postedMsat: msat(0), pendingMsat: msat(spend.amountMsat - spend.feeReserveMsat), feeReserveMsat: msat(spend.feeReserveMsat), refundCreditMsat: msat(0) };
  }
  if (resolution.kind !== 'post') return EMPTY_USAGE;
  return { postedMsat: msat(resolution.amountMsat + resolution.feeMsat), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };
}

/** A refund credit of this amount, as usage counts it. */
export function refundCreditUsage(amountMsat: Msat): BudgetUsage {
  return { ...EMPTY_USAGE, refundCreditMsat: amountMsat };
}

/** How much each usage figure changes: what stored totals add (negative when a hold is released). */
export type UsageChange = { readonly [K in keyof BudgetUsage]: SignedMsat };

export function usageChange(from: BudgetUsage, to: BudgetUsage): UsageChange {
  return {
    postedMsat: signedMsat(to.postedMsat - from.postedMsat),
    pendingMsat: signedMsat(to.pendingMsat - from.pendingMsat),
    feeReserveMsat: signedMsat(to.feeReserveMsat - from.feeReserveMsat),
    refundCreditMsat: signedMsat(to.refundCreditMsat - from.refundCreditMsat),
  };
}

/** The sum of several usages: how a total is recomputed from its reservations. */
export function addUsage(a: BudgetUsage, b: BudgetUsage): BudgetUsage {
  return {
    postedMsat: msat(a.postedMsat + b.postedMsat),
    pendingMsat: msat(a.pendingMsat + b.pendingMsat),
    feeReserveMsat: msat(a.feeReserveMsat + b.feeReserveMsat),
    refundCreditMsat: msat(a.refundCreditMsat + b.refundCreditMsat),
  };
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
  return inBothUnits(amount, formatFiat(amount, rate, 'charge'));
}

/** "$0.06 (62 sats)": an allowance (a limit, what is left) in both units, its fiat value rounded down. */
export function formatAllowance(amount: Msat, rate: BtcUsdRate): string {
  return inBothUnits(amount, formatFiat(amount, rate, 'holding'));
}

/**
 * Fiat by the display rules (shared/money-display.ts; under a cent says so) with the exact sats, as
 * these sentences compare amounts with limits. Under a cent the sats lead, never "the less than 1 cent".
 */
function inBothUnits(amount: Msat, fiat: string): string {
  return fiat === LESS_THAN_A_CENT ? `${formatSats(amount)} (${fiat})` : `${fiat} (${formatSats(amount)})`;
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
