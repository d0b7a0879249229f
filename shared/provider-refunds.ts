/**
 * Refunds from the provider (issue 12 item 6) and the claims Steward keeps against providers that do
 * not refund. The wire protocol a provider implements is described in docs/provider-refunds.md; these
 * schemas are its two messages, validated on both sides (the sandbox market reads the request, Steward
 * reads the answer). Shared by the API and the client (the operator console lists claims).
 */
import { z } from 'zod';
import type { DisputeView } from './disputes';
import { providerNameSchema } from './reputation';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** What Steward POSTs to a provider's `refund_endpoint`: the proof of payment and where to pay. */
export const providerRefundRequestSchema = z.object({
  version: z.literal(1),
  /** The disputed purchase: its payment hash, the preimage that proves it was paid, the token's id. */
  payment_hash: hex64,
  preimage: hex64,
  macaroon_id: z.string().regex(/^[0-9a-f]{2,400}$/),
  /** What is asked back (price plus routing fee, or an operator's partial amount); the invoice is for exactly this. */
  amount_msat: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  reason: z.string().max(2_000),
  /** A BOLT11 invoice made by the person's own spending wallet, with a short expiry. */
  return_invoice: z.string().min(1).max(4_000),
  /** Steward's dispute id: asking again for the same dispute carries the same invoice. */
  dispute_id: z.string().min(1).max(100),
});
export type ProviderRefundRequest = z.infer<typeof providerRefundRequestSchema>;

/**
 * The provider's answer. `refunded` is only a claim: Steward believes the person's wallet
 * (lookup_invoice settled for the full amount), never this body.
 */
export const providerRefundAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('refunded') }),
  z.object({ status: z.literal('refused'), reason: z.string().min(1).max(500) }),
]);
export type ProviderRefundAnswer = z.infer<typeof providerRefundAnswerSchema>;

export const PROVIDER_CLAIM_STATUSES = ['open', 'settled'] as const;
export type ProviderClaimStatus = (typeof PROVIDER_CLAIM_STATUSES)[number];

/**
 * Why the treasury paid in the provider's place: it publishes no refund endpoint, the payment has no
 * preimage to prove it, it refused, it gave no valid answer in time, or it said `refunded` but the
 * return invoice expired unpaid.
 */
export const PROVIDER_CLAIM_REASONS = ['no_endpoint', 'no_proof', 'refused', 'no_answer', 'not_paid'] as const;
export type ProviderClaimReason = (typeof PROVIDER_CLAIM_REASONS)[number];

/** A claim as the operators' console reads it (validated on the way out: claims router). */
export const providerClaimViewSchema = z.object({
  id: z.string(),
  disputeId: z.string(),
  providerId: z.string(),
  providerName: providerNameSchema,
  serviceId: z.string(),
  amountMsat: z.number().int(),
  reason: z.enum(PROVIDER_CLAIM_REASONS),
  detail: z.string().nullable(),
  status: z.enum(PROVIDER_CLAIM_STATUSES),
  note: z.string().nullable(),
  createdAtMs: z.number().int(),
  settledAtMs: z.number().int().nullable(),
});
export type ProviderClaimView = z.infer<typeof providerClaimViewSchema>;

/** A claim with the dispute it came from (the console shows its evidence beside it). */
export interface ProviderClaimItem {
  claim: ProviderClaimView;
  dispute: DisputeView | null;
}

export const settleClaimInputSchema = z.object({
  claimId: z.string().min(1).max(100),
  note: z.string().trim().max(2_000).default(''),
});

/** Who paid a dispute's refund back: the provider (to the return invoice) or the treasury. */
export const REFUND_SOURCES = ['provider', 'treasury'] as const;
export type RefundSource = (typeof REFUND_SOURCES)[number];
