// Disputes (server/domain/disputes): one row per disputed paid step, with the purchase's evidence
// copied in, the decided refund and where its payment stands. UNIQUE (user, task, step) and UNIQUE
// payment_id make "a step is disputed, and so refunded, at most once" a property the database keeps.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DISPUTE_CATEGORIES, DISPUTE_OPENERS, DISPUTE_STATUSES } from '../../../shared/disputes';

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
