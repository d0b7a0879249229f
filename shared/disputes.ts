/**
 * Disputes (server/domain/disputes): a complaint about one paid step, with the purchase's evidence,
 * and the refund it may lead to. Shared by the API and the client.
 *
 *   open --(non-delivery, or charged more than approved)--> refunding -> refunded
 *   open --(quality)--> under_review --(operator)--> refunding -> refunded | rejected
 *
 * `refunding` means a refund was decided and its sats are on their way (treasury -> the person's
 * spending wallet); it ends `refunded` once the wallet holds them.
 */
import { z } from 'zod';
import { REFUND_SOURCES } from './provider-refunds';
import { providerNameSchema } from './reputation';

export const DISPUTE_STATUSES = ['open', 'under_review', 'refunding', 'refunded', 'rejected'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const DISPUTE_CATEGORIES = ['not_delivered', 'wrong_or_low_quality', 'overcharged', 'charged_twice'] as const;
export type DisputeCategory = (typeof DISPUTE_CATEGORIES)[number];

/** Who opened it: Steward itself (proof of non-delivery), the person, or one of their agent keys. */
export const DISPUTE_OPENERS = ['automatic', 'person', 'agent'] as const;
export type DisputeOpener = (typeof DISPUTE_OPENERS)[number];

export const openDisputeInputSchema = z.object({
  taskId: z.string().min(1).max(100),
  stepId: z.string().min(1).max(100),
  category: z.enum(DISPUTE_CATEGORIES),
  reason: z.string().trim().max(2_000).default(''),
});
export type OpenDisputeInput = z.infer<typeof openDisputeInputSchema>;

/** What the purchase left behind, copied from the payment when the dispute opens (stored as JSON, read through this schema). */
export const disputeEvidenceSchema = z.object({
  paymentId: z.string(),
  serviceId: z.string(),
  providerId: z.string(),
  url: z.string(),
  challengeScheme: z.string(),
  invoice: z.string(),
  paymentHash: z.string(),
  preimageHex: z.string().nullable(),
  macaroonIdHex: z.string(),
  amountMsat: z.number().int(),
  feeMsat: z.number().int(),
  /** The most the person approved for the step (the reservation held: price plus fee allowance). */
  approvedMaxMsat: z.number().int().nullable(),
  httpStatus: z.number().int().nullable(),
  responseBytes: z.number().int().nullable(),
  responseSha256: z.string().nullable(),
  delivery: z.string(),
  /** Why the answer did not count as delivered (empty_body, schema_invalid, http_500...). */
  deliveryReason: z.string().nullable(),
  deliveryDetail: z.string().nullable(),
  /** The output schema the service published, as JSON text, when it published one. */
  outputSchemaJson: z.string().nullable(),
  paidAtMs: z.number().int().nullable(),
  requestedAtMs: z.number().int().nullable(),
  answeredAtMs: z.number().int().nullable(),
});
export type DisputeEvidence = z.infer<typeof disputeEvidenceSchema>;

export const disputeTransitionSchema = z.object({
  status: z.enum(DISPUTE_STATUSES),
  atMs: z.number().int(),
  by: z.enum(['steward', 'person', 'operator']),
  note: z.string().nullable(),
});
export type DisputeTransition = z.infer<typeof disputeTransitionSchema>;

/** A dispute as the API answers it (validated on the way out: disputes and claims routers). */
export const disputeViewSchema = z.object({
  id: z.string(),
  userId: z.string(),
  taskId: z.string(),
  stepId: z.string(),
  status: z.enum(DISPUTE_STATUSES),
  category: z.enum(DISPUTE_CATEGORIES),
  openedBy: z.enum(DISPUTE_OPENERS),
  reason: z.string(),
  /** Paid amount plus routing fee: the most a refund gives back. */
  disputedMsat: z.number().int(),
  /** Decided refund (0 until decided, or when rejected). */
  refundMsat: z.number().int(),
  operatorNote: z.string().nullable(),
  evidence: disputeEvidenceSchema,
  /** The disputed payment's provider (`evidence.providerId`) by name. */
  providerName: providerNameSchema,
  transitions: z.array(disputeTransitionSchema),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  refundedAtMs: z.number().int().nullable(),
  /** Who paid the refund back (set once refunded): the provider itself, or the treasury in its place. */
  refundSource: z.enum(REFUND_SOURCES).nullable(),
});
export type DisputeView = z.infer<typeof disputeViewSchema>;

export const operatorRefundInputSchema = z.object({
  disputeId: z.string().min(1).max(100),
  /** Omitted: the whole disputed amount. */
  amountMsat: z.number().int().positive().optional(),
  note: z.string().trim().max(2_000).default(''),
});

export const operatorRejectInputSchema = z.object({
  disputeId: z.string().min(1).max(100),
  note: z.string().trim().min(1, { message: 'Say why the dispute is rejected.' }).max(2_000),
});
