// Alerts the person is told about (budget thresholds, low balance, approvals waiting, price drift,
// failed payments, disputes, auto-approved spends), read or unread. dedupe_key makes one occurrence
// (e.g. "80% of 2026-01") a single row however many times it is reported.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;

export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    kind: text('kind').notNull(),
    severity: text('severity', { enum: ALERT_SEVERITIES }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    // Non-secret context for links in the UI (approvalId, serviceId, ...), as JSON.
    dataJson: text('data_json'),
    dedupeKey: text('dedupe_key'),
    createdAtMs: integer('created_at_ms').notNull(),
    readAtMs: integer('read_at_ms'),
  },
  (t) => [
    uniqueIndex('alerts_user_dedupe_unique').on(t.userId, t.dedupeKey),
    index('alerts_user_created_idx').on(t.userId, t.createdAtMs),
  ],
);

export type AlertRow = typeof alerts.$inferSelect;
export type NewAlertRow = typeof alerts.$inferInsert;
