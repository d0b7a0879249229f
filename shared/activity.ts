/**
 * The Activity page's filters, shared by the page and the server (which filters in SQL). A month is
 * a budget month ('YYYY-MM') in the person's own time zone.
 */
import { z } from 'zod';
import { DISPUTE_STATUSES } from './disputes';
import { msatSchema, usdCentsSchema } from './money';
import { REFUND_SOURCES } from './provider-refunds';
import { providerNameSchema } from './reputation';

/** What the person sees first: one word for where the purchase ended up. */
export const RECEIPT_OUTCOMES = ['pending', 'failed', 'paid', 'delivered', 'paid_not_delivered', 'paid_unusable'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

export const activityFiltersSchema = z.object({
  serviceId: z.string().trim().min(1).max(200).optional(),
  outcome: z.enum(RECEIPT_OUTCOMES).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Choose a month like 2026-03.')
    .optional(),
  /** Matched against the service, the provider, the address called and what the person asked. */
  search: z.string().trim().max(100, 'Keep a search under 100 characters.').optional(),
});
export type ActivityFilters = z.infer<typeof activityFiltersSchema>;

export const listActivityInputSchema = activityFiltersSchema
  .extend({
    limit: z.number().int().min(1).max(200).default(50),
    /** Receipts created before this time (ms), for paging back. */
    beforeMs: z.number().int().nonnegative().optional(),
  })
  .default({ limit: 50 });
export type ListActivityInput = z.output<typeof listActivityInputSchema>;

/** Who decided to give the money back: Steward at once (non-delivery) or an operator after review. */
export const REFUND_DECIDERS = ['automatic', 'operator'] as const;
export type RefundDecider = (typeof REFUND_DECIDERS)[number];

const nullableInt = z.number().int().nullable();

/**
 * One payment as the Activity page shows it (validated on the way out): the receipt and its evidence,
 * the provider by name (its id beside it), who spent it, the task step behind it and its dispute.
 */
export const activityRowSchema = z.object({
  id: z.string(),
  createdAtMs: z.number().int(),
  serviceId: z.string(),
  service: z.string(),
  providerId: z.string(),
  providerName: providerNameSchema,
  origin: z.string(),
  method: z.string(),
  url: z.string(),
  amountMsat: msatSchema,
  feeMsat: msatSchema.nullable(),
  totalUsdCents: usdCentsSchema.nullable(),
  outcome: z.enum(RECEIPT_OUTCOMES),
  reason: z.string().nullable(),
  reasonDetail: z.string().nullable(),
  evidence: z.object({
    challengeScheme: z.string(),
    invoice: z.string(),
    paymentHash: z.string(),
    macaroonIdHex: z.string(),
    preimageHex: z.string().nullable(),
    httpStatus: nullableInt,
    responseSha256: z.string().nullable(),
    responseBytes: nullableInt,
    paidAtMs: nullableInt,
    resolvedAtMs: nullableInt,
    deliveryRequestedAtMs: nullableInt,
    deliveredAtMs: nullableInt,
  }),
  taskId: z.string().nullable(),
  stepId: z.string().nullable(),
  agentName: z.string().nullable(),
  dispute: z
    .object({
      disputeId: z.string(),
      status: z.enum(DISPUTE_STATUSES),
      refundMsat: z.number().int(),
      refundDecidedBy: z.enum(REFUND_DECIDERS).nullable(),
      refundPaidBy: z.enum(REFUND_SOURCES).nullable(),
      refundedAtMs: nullableInt,
    })
    .nullable(),
});
