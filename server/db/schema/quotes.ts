// Quotes: what a plan's steps were priced at, before anything is paid, with the BTC/USD rate locked for
// it. Stored so an approval can name the exact prices it approved and a payment can be checked
// against them; a quote is never updated, only superseded by a new one (an expired quote is re-quoted).
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const quotes = sqliteTable(
  'quotes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    taskId: text('task_id').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    expiresAtMs: integer('expires_at_ms').notNull(),
    // The locked rate as its exact ratio (shared/money BtcUsdRate): rateUsdCents cents buy ratePerMsat msat.
    rateUsdCents: integer('rate_usd_cents').notNull(),
    ratePerMsat: integer('rate_per_msat').notNull(),
    // The priced steps (server/domain/quotes/types.ts QuoteStep[]), validated on read.
    stepsJson: text('steps_json').notNull(),
    totalMsatMin: integer('total_msat_min').notNull(),
    totalMsatMax: integer('total_msat_max').notNull(),
    totalUsdCentsMin: integer('total_usd_cents_min').notNull(),
    totalUsdCentsMax: integer('total_usd_cents_max').notNull(),
  },
  (t) => [
    index('quotes_user_task_idx').on(t.userId, t.taskId),
    check('quotes_range', sql`${t.totalMsatMin} >= 0 AND ${t.totalMsatMin} <= ${t.totalMsatMax}`),
    check('quotes_rate_positive', sql`${t.rateUsdCents} > 0 AND ${t.ratePerMsat} > 0`),
    check('quotes_expiry', sql`${t.createdAtMs} < ${t.expiresAtMs}`),
  ],
);

export type QuoteRow = typeof quotes.$inferSelect;
export type NewQuoteRow = typeof quotes.$inferInsert;
