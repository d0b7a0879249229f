// Budget governance: each person's settings, the budget periods they have used (history), refund
// credits attributed to the spend they refund, budget alerts already fired, and usage totals. Usage is
// defined once, in server/domain/governance/budget.ts (reservationUsage), over the ledger's
// reservations; the totals tables below hold it in typed columns that governance's usage observer
// changes in the same transaction as each reservation, resolution and refund credit (no triggers), and
// that checkUsageTotals() audits against the ledger by the same rule. The totals tables are WITHOUT
// ROWID (migrations 0012, 0028, 0029; drizzle does not model that): a lookup is one descent of the key.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ledgerTransfers } from './ledger';

export const governanceSettings = sqliteTable('governance_settings', {
  userId: text('user_id').primaryKey(),
  // shared/governance governanceSettingsSchema, validated on write and on read.
  settingsJson: text('settings_json').notNull(),
  updatedAtMs: integer('updated_at_ms').notNull(),
});

/**
 * One row per (person, month) they spent in, with the boundaries and limit that applied, so history
 * still reads right after they change their time zone or limit.
 */
export const governanceBudgetPeriods = sqliteTable(
  'governance_budget_periods',
  {
    userId: text('user_id').notNull(),
    periodKey: text('period_key').notNull(), // 'YYYY-MM'
    timeZone: text('time_zone').notNull(),
    startsAtMs: integer('starts_at_ms').notNull(),
    endsAtMs: integer('ends_at_ms').notNull(),
    // shared/governance moneyLimitSchema or null (no limit): the last limit seen in this period.
    limitJson: text('limit_json'),
    firstSeenAtMs: integer('first_seen_at_ms').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.periodKey] }),
    check('governance_budget_periods_bounds', sql`${t.startsAtMs} < ${t.endsAtMs}`),
  ],
);

/**
 * A refund or dispute credit counts against the usage of the period (and service and task) of the
 * spend it refunds, not of the day it arrived. Keyed by the ledger transfer that moved the money, so
 * recording the same credit twice has no second effect.
 */
export const governanceCredits = sqliteTable(
  'governance_credits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ledgerTransferId: integer('ledger_transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    userId: text('user_id').notNull(),
    periodKey: text('period_key').notNull(),
    serviceId: text('service_id').notNull(),
    taskId: text('task_id'),
    amountMsat: integer('amount_msat').notNull(),
    // When the refunded spend was reserved: the credit counts in every usage window that spend counts in.
    reservedAtMs: integer('reserved_at_ms').notNull().default(0),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('governance_credits_ledger_transfer_unique').on(t.ledgerTransferId),
    index('governance_credits_user_period_idx').on(t.userId, t.periodKey),
    index('governance_credits_user_task_idx').on(t.userId, t.taskId),
    check('governance_credits_amount_positive', sql`${t.amountMsat} > 0`),
  ],
);

/** Budget threshold alerts that fired: the UNIQUE key makes "once per period" hold under races. */
export const governanceAlertsFired = sqliteTable(
  'governance_alerts_fired',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    periodKey: text('period_key').notNull(),
    thresholdPercent: integer('threshold_percent').notNull(),
    firedAtMs: integer('fired_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('governance_alerts_fired_unique').on(t.userId, t.periodKey, t.thresholdPercent),
    check('governance_alerts_fired_percent', sql`${t.thresholdPercent} BETWEEN 1 AND 100`),
  ],
);

// The usage totals: what the reservations in a scope add up to, split as budget.ts counts them
// (posted = amount + fee actually paid; pending = held minus its fee allowance; fee reserve = that
// allowance while in flight; refund credit = refunds for those spends, which lower usage). A
// reservation, and any refund of it, counts in the window the reservation was MADE in.

/**
 * Usage of one person in one window [startsAtMs, endsAtMs): their budget month as computed in the
 * time zone of the check that created it. The row with `service_id` '' is the window's total across
 * services; a row per service spent on in the window beside it (service ids are never empty: an empty
 * one counts as none, budget-precondition.ts). Keyed by the exact bounds rather than the period key,
 * so a change of time zone gets its own, exact rows instead of a neighbour's. Created (from a scan of
 * the window's reservations) by the first budget check in the window, with every service's row that
 * scan finds, so a missing service row means nothing was spent on that service in the window; from
 * then on the usage observer adds every reservation made in it, every resolution of one and every
 * refund credit for one.
 *
 * One table, not one for months and one for services: keyed by person first, a person's window total
 * and service totals share a page, so a spend dirties one page of it instead of one in each table
 * (docs/architecture.md, "What a spend decision costs").
 */
export const governanceWindowUsage = sqliteTable(
  'governance_window_usage',
  {
    userId: text('user_id').notNull(),
    startsAtMs: integer('starts_at_ms').notNull(),
    endsAtMs: integer('ends_at_ms').notNull(),
    serviceId: text('service_id').notNull(),
    postedMsat: integer('posted_msat').notNull(),
    pendingMsat: integer('pending_msat').notNull(),
    feeReserveMsat: integer('fee_reserve_msat').notNull(),
    refundCreditMsat: integer('refund_credit_msat').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.startsAtMs, t.endsAtMs, t.serviceId] }),
    check('governance_window_usage_bounds', sql`${t.startsAtMs} < ${t.endsAtMs}`),
  ],
);

/**
 * Usage of one task across all time, with the times of its first and last reservation: a check asks
 * for the task's reservations since the task started and before the period ends, which these totals
 * answer exactly whenever every reservation of the task falls inside that window (otherwise the check
 * scans). One row per (person, task) that has ever reserved.
 *
 * Keyed by task first: task ids grow with time (UUIDv7, server/domain/ids.ts), so the tasks still
 * spending are the last rows, a few pages that every commit shares. Keyed by person first, each
 * active task sat among its person's past tasks, and every decision dirtied a page of its own.
 */
export const governanceTaskUsage = sqliteTable(
  'governance_task_usage',
  {
    userId: text('user_id').notNull(),
    taskId: text('task_id').notNull(),
    firstAtMs: integer('first_at_ms').notNull(),
    lastAtMs: integer('last_at_ms').notNull(),
    postedMsat: integer('posted_msat').notNull(),
    pendingMsat: integer('pending_msat').notNull(),
    feeReserveMsat: integer('fee_reserve_msat').notNull(),
    refundCreditMsat: integer('refund_credit_msat').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.userId] })],
);

/**
 * Usage changes not yet added to the totals above (SQLite only; empty on PostgreSQL). The single
 * writer keeps every total in memory and appends each change here, in the transaction of the
 * reservation, resolution or credit it comes from: one row at the end of one table, on a page that the
 * batch's other changes share. Adding changes to governance_window_usage and governance_task_usage
 * one by one dirtied a page of each per person and decision, more than half of a decision's cost
 * for 500 people's budgets (bench/governance.bench.ts). The repository folds them into the totals,
 * summed by row, every few thousand changes and before any read of the totals from the database,
 * so a read always sees totals plus changes (governance-repository.ts).
 */
export const governanceUsageChanges = sqliteTable('governance_usage_changes', {
  id: integer('id').primaryKey(),
  userId: text('user_id').notNull(),
  atMs: integer('at_ms').notNull(),
  serviceId: text('service_id'),
  taskId: text('task_id'),
  /** 1 for a new reservation, which creates its missing service and task rows; 0 for later changes. */
  isNew: integer('is_new').notNull(),
  postedMsat: integer('posted_msat').notNull(),
  pendingMsat: integer('pending_msat').notNull(),
  feeReserveMsat: integer('fee_reserve_msat').notNull(),
  refundCreditMsat: integer('refund_credit_msat').notNull(),
});

export type GovernanceBudgetPeriodRow = typeof governanceBudgetPeriods.$inferSelect;
export type GovernanceCreditRow = typeof governanceCredits.$inferSelect;
