/**
 * What a dispute's opening decides, as pure functions: whether it is refunded at once or reviewed,
 * and whether the person's abuse limit lets it open. No I/O, no clock.
 */
import type { DisputeEvidence, DisputeOpener } from '../../../shared/disputes';

/** The share of a month's paid spend a person may dispute themselves; non-delivery refunds never count. */
export const DEFAULT_DISPUTE_SHARE_PERCENT = 50;

export type OpeningRoute =
  /** Proof is on file (non-delivery after payment, or charged above what was approved): refund it all now. */
  | { route: 'refund'; why: 'not_delivered' | 'overcharged' }
  /** A judgement call (quality, a claim the evidence does not show): an operator decides. */
  | { route: 'review' };

/**
 * Non-delivery with proof of payment is refunded at once; everything else waits for an operator.
 * The evidence decides, not the category the person picked: "not delivered" on an answer that was
 * delivered is reviewed. Only for a provider the operator lists (`providerListed`): one a person added
 * by URL may be their own node, and since the treasury pays whatever its provider does not, an
 * automatic refund would hand them back what they paid themselves, as often as they liked.
 */
export function routeOpening(evidence: DisputeEvidence, providerListed: boolean): OpeningRoute {
  if (!providerListed) return { route: 'review' };
  if (evidence.delivery === 'paid_not_delivered') return { route: 'refund', why: 'not_delivered' };
  const charged = evidence.amountMsat + evidence.feeMsat;
  if (evidence.approvedMaxMsat !== null && charged > evidence.approvedMaxMsat) return { route: 'refund', why: 'overcharged' };
  return { route: 'review' };
}

export type AbuseCheck = { ok: true } | { ok: false; allowedMsat: number; alreadyMsat: number; why: string };

/**
 * A person may dispute at most `sharePercent` of what they paid this month (routed-to-review and
 * refunded alike); the month's first dispute is always allowed, so one bad purchase can always be
 * disputed. Automatic non-delivery disputes neither count nor are limited.
 */
export function checkAbuseLimit(input: { openedBy: DisputeOpener; disputedMsat: number; alreadyMsat: number; paidThisMonthMsat: number; sharePercent: number }): AbuseCheck {
  if (input.openedBy === 'automatic' || input.alreadyMsat === 0) return { ok: true };
  const allowedMsat = Math.floor((input.paidThisMonthMsat * input.sharePercent) / 100);
  if (input.alreadyMsat + input.disputedMsat <= allowedMsat) return { ok: true };
  return {
    ok: false,
    allowedMsat,
    alreadyMsat: input.alreadyMsat,
    why: `You can dispute up to ${input.sharePercent}% of what you paid this month; this dispute would take you past it (your first dispute of a month is always accepted). Non-delivery is refunded automatically and does not count.`,
  };
}

/** Midnight UTC on the first of `nowMs`'s month: where "this month" starts for the abuse limit. */
export function monthStartUtcMs(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** A partial refund must be positive and no more than what was paid (price plus fee). */
export function refundAmountValid(amountMsat: number, disputedMsat: number): boolean {
  return Number.isSafeInteger(amountMsat) && amountMsat > 0 && amountMsat <= disputedMsat;
}
