// Approval requests: one per quote, a small state machine
//   pending -> approved | denied | expired | cancelled
// Every transition is a conditional UPDATE from 'pending', so two racing answers cannot both win.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { quotes } from './quotes';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled'] as const;
export const APPROVAL_DECISION_KINDS = ['auto', 'confirm', 'step_up', 'overage_required', 'deny'] as const;
/** Why the approval was asked for: a new plan, or a price that moved above what was approved. */
export const APPROVAL_REASONS = ['plan', 'price_drift', 'quote_expired'] as const;

export const approvals = sqliteTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    taskId: text('task_id').notNull(),
    quoteId: text('quote_id')
      .notNull()
      .references(() => quotes.id),
    status: text('status', { enum: APPROVAL_STATUSES }).notNull(),
    reason: text('reason', { enum: APPROVAL_REASONS }).notNull(),
    // The policy decision (shared/governance PolicyDecision) as JSON; its kind is also a column to query.
    decisionKind: text('decision_kind', { enum: APPROVAL_DECISION_KINDS }).notNull(),
    decisionJson: text('decision_json').notNull(),
    why: text('why').notNull(),
    maxMsat: integer('max_msat').notNull(),
    // { [stepId]: most the step's invoice may ask, fees excluded } as JSON.
    stepMaxMsatJson: text('step_max_msat_json').notNull(),
    overageMsat: integer('overage_msat'),
    // What the person wrote when authorizing an overage (also in the audit log).
    overageReason: text('overage_reason'),
    // The step whose price drifted, for price_drift re-approvals.
    driftStepId: text('drift_step_id'),
    // The agent key whose request this is (its limits narrowed the decision); null for the app's own.
    agentKeyId: text('agent_key_id'),
    expiresAtMs: integer('expires_at_ms').notNull(),
    resolvedAtMs: integer('resolved_at_ms'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('approvals_quote_unique').on(t.quoteId),
    index('approvals_user_status_idx').on(t.userId, t.status),
    index('approvals_user_task_idx').on(t.userId, t.taskId),
    check('approvals_resolved', sql`(${t.status} = 'pending') = (${t.resolvedAtMs} IS NULL)`),
    check('approvals_max_msat', sql`${t.maxMsat} >= 0`),
  ],
);

export type ApprovalRow = typeof approvals.$inferSelect;
export type NewApprovalRow = typeof approvals.$inferInsert;
