/**
 * The provider refund's decision rules (docs/provider-refunds.md), as pure functions: whether the
 * provider is asked at all, what its return invoice's state in the person's wallet means, and what
 * claim stands when it does not pay. No I/O, no clock.
 *
 * The one rule against paying twice: the treasury pays only once the return invoice can no longer be
 * paid (settled short, expired or unknown to the person's wallet), never on the provider's word. A
 * provider that refuses, lies, or answers too late may still pay its return invoice until it expires,
 * so every branch but `paid` waits for that.
 */
import type { DisputeEvidence } from '../../../shared/disputes';
import type { ProviderClaimReason, ProviderRefundRequest } from '../../../shared/provider-refunds';
import type { WalletResult, WalletTransaction } from '../ports/wallet';

/**
 * How long after its expiry a return invoice the wallet still calls `pending` counts as unpayable:
 * Lightning nodes refuse HTLCs for an expired invoice, but not every wallet relabels it at once.
 */
export const RETURN_INVOICE_EXPIRY_GRACE_MS = 60_000;

export type ProviderRoute = { ask: true; endpointUrl: string } | { ask: false; reason: Extract<ProviderClaimReason, 'no_endpoint' | 'no_proof'> };

/** Ask the provider only when it publishes an endpoint and the payment's proof (the preimage) is on file. */
export function providerRoute(endpointUrl: string | null, evidence: Pick<DisputeEvidence, 'preimageHex' | 'paymentHash'>): ProviderRoute {
  if (!endpointUrl) return { ask: false, reason: 'no_endpoint' };
  if (!evidence.preimageHex || !/^[0-9a-f]{64}$/.test(evidence.preimageHex) || !/^[0-9a-f]{64}$/.test(evidence.paymentHash)) return { ask: false, reason: 'no_proof' };
  return { ask: true, endpointUrl };
}

export type ReturnInvoiceVerdict =
  /** The person's wallet holds the full refund: the provider paid. */
  | { verdict: 'paid' }
  /** It can no longer be paid: the treasury pays (and a claim is recorded). */
  | { verdict: 'lapsed'; why: string }
  /** It may still be paid (pending, or the wallet did not answer): look again later. */
  | { verdict: 'waiting'; why: string };

/** What lookup_invoice on the person's wallet says about the return invoice; the only evidence believed. */
export function judgeReturnInvoice(lookup: WalletResult<WalletTransaction>, input: { refundMsat: number; expiresAtMs: number; nowMs: number }): ReturnInvoiceVerdict {
  if (!lookup.ok) {
    if (lookup.outcome === 'refused' && lookup.reason === 'not_found') return { verdict: 'lapsed', why: 'the wallet does not know the return invoice' };
    return { verdict: 'waiting', why: `the wallet did not answer: ${lookup.message}` };
  }
  const { state, amountMsat } = lookup.value;
  if (state === 'settled' && amountMsat >= input.refundMsat) return { verdict: 'paid' };
  // A fixed-amount invoice cannot settle for less; a wallet that says so is not counted as refunded.
  if (state === 'settled') return { verdict: 'lapsed', why: `settled for ${amountMsat} msat, not ${input.refundMsat}` };
  if (state === 'expired' || state === 'failed') return { verdict: 'lapsed', why: `the return invoice ${state} unpaid` };
  if (state === 'pending' && input.nowMs > input.expiresAtMs + RETURN_INVOICE_EXPIRY_GRACE_MS) return { verdict: 'lapsed', why: 'the return invoice is long past its expiry' };
  return { verdict: 'waiting', why: `the return invoice is ${state ?? 'of unknown state'}` };
}

/** The claim against a provider that was asked and did not pay, by what it answered. */
export function claimReasonFor(answer: 'refunded' | 'refused' | 'no_answer' | null): ProviderClaimReason {
  if (answer === 'refused') return 'refused';
  // It said it paid, and the person's wallet says otherwise.
  if (answer === 'refunded') return 'not_paid';
  return 'no_answer';
}

/** The next look at a return invoice still payable: backoff, but never much after its expiry. */
export function nextProviderLookMs(input: { nowMs: number; expiresAtMs: number; backoffMs: number }): number {
  const afterExpiry = input.expiresAtMs + 1_000;
  return input.nowMs < afterExpiry ? Math.min(input.nowMs + input.backoffMs, afterExpiry) : input.nowMs + input.backoffMs;
}

/** The protocol's request for a disputed purchase (the proof copied into the dispute's evidence). */
export function providerRefundRequest(input: {
  disputeId: string;
  evidence: Pick<DisputeEvidence, 'paymentHash' | 'preimageHex' | 'macaroonIdHex' | 'deliveryReason'>;
  category: string;
  reason: string;
  refundMsat: number;
  returnInvoice: string;
}): ProviderRefundRequest {
  const why = [input.category, input.reason || input.evidence.deliveryReason].filter(Boolean).join(': ');
  return {
    version: 1,
    payment_hash: input.evidence.paymentHash,
    preimage: input.evidence.preimageHex ?? '',
    macaroon_id: input.evidence.macaroonIdHex.toLowerCase(),
    amount_msat: input.refundMsat,
    reason: why.slice(0, 2_000),
    return_invoice: input.returnInvoice,
    dispute_id: input.disputeId,
  };
}
