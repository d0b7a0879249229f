// Disputes (server/domain/disputes): one row per disputed paid step, with the purchase's evidence
// copied in, the decided refund and where its payment stands. UNIQUE (user, task, step) and UNIQUE
// payment_id make "a step is disputed, and so refunded, at most once" a property the database keeps.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DISPUTE_CATEGORIES, DISPUTE_OPENERS, DISPUTE_STATUSES } from '../../../shared/disputes';
import { PROVIDER_CLAIM_REASONS, PROVIDER_CLAIM_STATUSES, REFUND_SOURCES } from '../../../shared/provider-refunds';

/**
 * Where a refund stands with the provider (refund-from-provider.ts): null = not asked yet; `asking` =
 * a return invoice was made and stored before the provider was asked; `declined` = the provider will
 * not pay it (no endpoint, refusal, no valid answer, return invoice expired unpaid): the treasury pays.
 */
export const PROVIDER_REFUND_STEPS = ['asking', 'declined'] as const;
/** What the provider answered, as Steward read it (its word only; the wallet decides). */
export const PROVIDER_ANSWERS = ['refunded', 'refused', 'no_answer'] as const;

export const disputes = sqliteTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    taskId: text('task_id').notNull(),
    stepId: text('step_id').notNull(),
    paymentId: text('payment_id').notNull(),
    status: text('status', { enum: DISPUTE_STATUSES }).notNull(),
    category: text('category', { enum: DISPUTE_CATEGORIES }).notNull(),
    openedBy: text('opened_by', { enum: DISPUTE_OPENERS }).notNull(),
    reason: text('reason').notNull(),
    disputedMsat: integer('disputed_msat').notNull(),
    refundMsat: integer('refund_msat').notNull().default(0),
    operatorNote: text('operator_note'),
    // The evidence bundle (DisputeEvidence) as JSON, fixed when the dispute opened.
    evidenceJson: text('evidence_json').notNull(),
    // Every transition (DisputeTransition[]) as JSON, oldest first.
    transitionsJson: text('transitions_json').notNull(),
    // The refund's payment: the invoice the person's wallet made; the treasury pays exactly this one.
    refundInvoice: text('refund_invoice'),
    refundPaymentHash: text('refund_payment_hash'),
    refundAttempts: integer('refund_attempts').notNull().default(0),
    // The provider's part (docs/provider-refunds.md): the return invoice it may pay, stored before asking.
    providerStep: text('provider_step', { enum: PROVIDER_REFUND_STEPS }),
    providerInvoice: text('provider_invoice'),
    providerPaymentHash: text('provider_payment_hash'),
    providerInvoiceExpiresAtMs: integer('provider_invoice_expires_at_ms'),
    providerAnswer: text('provider_answer', { enum: PROVIDER_ANSWERS }),
    providerAnswerDetail: text('provider_answer_detail'),
    // Who paid the refund back (set with `refunded`).
    refundSource: text('refund_source', { enum: REFUND_SOURCES }),
    nextAttemptAtMs: integer('next_attempt_at_ms'),
    lastError: text('last_error'),
    createdAtMs: integer('created_at_ms').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
    refundedAtMs: integer('refunded_at_ms'),
  },
  (t) => [
    uniqueIndex('disputes_step_unique').on(t.userId, t.taskId, t.stepId),
    uniqueIndex('disputes_payment_unique').on(t.paymentId),
    uniqueIndex('disputes_refund_hash_unique').on(t.refundPaymentHash),
    uniqueIndex('disputes_provider_hash_unique').on(t.providerPaymentHash),
    index('disputes_user_created_idx').on(t.userId, t.createdAtMs),
    index('disputes_status_idx').on(t.status, t.nextAttemptAtMs),
    // Provider reputation reads the disputes opened, and the refunds landed, in a trailing window.
    index('disputes_created_idx').on(t.createdAtMs),
    index('disputes_refunded_idx').on(t.refundedAtMs),
    check('disputes_refund_bounded', sql`${t.refundMsat} >= 0 AND ${t.refundMsat} <= ${t.disputedMsat}`),
  ],
);

export type DisputeRow = typeof disputes.$inferSelect;
export type NewDisputeRow = typeof disputes.$inferInsert;

/**
 * Claims against providers: the treasury refunded a person in a provider's place (it had no refund
 * endpoint, refused, did not answer, or did not pay). One per dispute (UNIQUE dispute_id), written in
 * the transaction that hands the refund to the treasury; an operator settles it once the provider
 * has paid the operator back.
 */
export const providerClaims = sqliteTable(
  'provider_claims',
  {
    id: text('id').primaryKey(),
    disputeId: text('dispute_id').notNull(),
    userId: text('user_id').notNull(),
    providerId: text('provider_id').notNull(),
    serviceId: text('service_id').notNull(),
    amountMsat: integer('amount_msat').notNull(),
    reason: text('reason', { enum: PROVIDER_CLAIM_REASONS }).notNull(),
    detail: text('detail'),
    status: text('status', { enum: PROVIDER_CLAIM_STATUSES }).notNull(),
    note: text('note'),
    settledBy: text('settled_by'),
    createdAtMs: integer('created_at_ms').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
    settledAtMs: integer('settled_at_ms'),
  },
  (t) => [
    uniqueIndex('provider_claims_dispute_unique').on(t.disputeId),
    index('provider_claims_status_idx').on(t.status, t.createdAtMs),
    check('provider_claims_amount_positive', sql`${t.amountMsat} > 0`),
  ],
);

export type ProviderClaimRow = typeof providerClaims.$inferSelect;
