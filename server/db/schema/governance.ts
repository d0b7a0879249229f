// Budget governance: each person's settings, the budget periods they have used (history), refund
// credits attributed to the period of the spend they refund, and budget alerts already fired.
// Usage itself is never stored: it is derived from the ledger's reservations every time, so there is
// no counter to drift from the money that actually moved.
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

export type GovernanceBudgetPeriodRow = typeof governanceBudgetPeriods.$inferSelect;
export type GovernanceCreditRow = typeof governanceCredits.$inferSelect;
