// Agent tasks: one row per chat request and one per planned step. Step rows are written before and
// after every await of the runner (the idempotency key before any payment), so after a crash the
// runner can tell which steps finished, which never started, and which were mid-payment (those are
// settled by the payments reconciler under the same idempotency key, never paid again).
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const TASK_STATUSES = [
  'draft',
  'planned',
  'quoted',
  'awaiting_approval',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;

export const STEP_STATUSES = ['pending', 'paying', 'delivered', 'failed', 'skipped', 'cancelled'] as const;
export const STEP_JUDGEMENTS = ['accepted', 'disputed'] as const;

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    request: text('request').notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull(),
    // Bumped on every change: the live stream's event id, and a cheap "did anything change" check.
    version: integer('version').notNull().default(1),
    planJson: text('plan_json'),
    quoteJson: text('quote_json'),
    // The policy decision for the current approval ({ kind, why, ... }) and the approval's id.
    decisionJson: text('decision_json'),
    approvalId: text('approval_id'),
    // The agent key (an MCP client) that asked for this task; null when the person asked in the app.
    agentKeyId: text('agent_key_id'),
    answerJson: text('answer_json'),
    // Why the task stopped short ({ reason, message }), for failed and cancelled tasks.
    failureJson: text('failure_json'),
    createdAtMs: integer('created_at_ms').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
    startedAtMs: integer('started_at_ms'),
    finishedAtMs: integer('finished_at_ms'),
  },
  (t) => [index('tasks_user_created').on(t.userId, t.createdAtMs), index('tasks_status').on(t.status)],
);

export const taskSteps = sqliteTable(
  'task_steps',
  {
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id),
    stepId: text('step_id').notNull(),
    position: integer('position').notNull(),
    serviceId: text('service_id').notNull(),
    serviceName: text('service_name').notNull(),
    providerName: text('provider_name').notNull(),
    status: text('status', { enum: STEP_STATUSES }).notNull(),
    // The input sent (after chaining), JSON; null until the step runs.
    inputJson: text('input_json'),
    // Persisted before the purchase: a retry after a crash reuses it, so the payment is never repeated.
    idempotencyKey: text('idempotency_key').notNull(),
    paymentId: text('payment_id'),
    // What the step paid (null when nothing was paid: a cached token, or not run).
    amountMsat: integer('amount_msat'),
    feeMsat: integer('fee_msat'),
    // The purchase outcome's kind and named reason.
    outcome: text('outcome'),
    reason: text('reason'),
    outputJson: text('output_json'),
    judgement: text('judgement', { enum: STEP_JUDGEMENTS }),
    // The complaint and the step's evidence, recorded by the Dispute action.
    disputeJson: text('dispute_json'),
    updatedAtMs: integer('updated_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('task_steps_pk').on(t.taskId, t.stepId),
    uniqueIndex('task_steps_idempotency').on(t.idempotencyKey),
    // Activity finds the step (and the person's request) behind each payment it lists.
    index('task_steps_payment_idx').on(t.paymentId),
  ],
);

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStepRow = typeof taskSteps.$inferSelect;
export type NewTaskStepRow = typeof taskSteps.$inferInsert;
