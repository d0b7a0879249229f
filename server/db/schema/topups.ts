// Card top-ups (server/domain/topups): one row per Checkout Session, carrying its locked quote and where
// its funding stands, and one row per Stripe event handled, so each event acts at most once.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { TOP_UP_STATUSES } from '../../../shared/topups';

export const topUps = sqliteTable(
  'top_ups',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    status: text('status', { enum: TOP_UP_STATUSES }).notNull(),
    amountUsdCents: integer('amount_usd_cents').notNull(),
    amountMsat: integer('amount_msat').notNull(),
    rateUsdCents: integer('rate_usd_cents').notNull(),
    ratePerMsat: integer('rate_per_msat').notNull(),
    spreadBps: integer('spread_bps').notNull(),
    effectiveCentsPerBtc: integer('effective_cents_per_btc').notNull(),
    // Null until Stripe answered the session's creation (a crash in between leaves it null: never paid).
    stripeSessionId: text('stripe_session_id'),
    checkoutUrl: text('checkout_url'),
    paymentIntentId: text('payment_intent_id'),
    // The invoice the person's wallet made for this top-up; the treasury pays exactly this one.
    invoice: text('invoice'),
    paymentHash: text('payment_hash'),
    // Cents Stripe says were refunded; what of the credit is taken back follows from it.
    refundedUsdCents: integer('refunded_usd_cents').notNull().default(0),
    disputed: integer('disputed', { mode: 'boolean' }).notNull().default(false),
    reversedMsat: integer('reversed_msat').notNull().default(0),
    owedMsat: integer('owed_msat').notNull().default(0),
    fundingAttempts: integer('funding_attempts').notNull().default(0),
    nextAttemptAtMs: integer('next_attempt_at_ms'),
    lastError: text('last_error'),
    createdAtMs: integer('created_at_ms').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
    fundedAtMs: integer('funded_at_ms'),
  },
  (t) => [
    uniqueIndex('top_ups_stripe_session_unique').on(t.stripeSessionId),
    uniqueIndex('top_ups_payment_hash_unique').on(t.paymentHash),
    index('top_ups_user_created_idx').on(t.userId, t.createdAtMs),
    index('top_ups_payment_intent_idx').on(t.paymentIntentId),
    index('top_ups_next_attempt_idx').on(t.nextAttemptAtMs),
    check('top_ups_amounts_positive', sql`${t.amountUsdCents} > 0 AND ${t.amountMsat} > 0`),
    check('top_ups_reversal_bounded', sql`${t.reversedMsat} >= 0 AND ${t.owedMsat} >= 0 AND ${t.reversedMsat} + ${t.owedMsat} <= ${t.amountMsat}`),
  ],
);

export const stripeEvents = sqliteTable('stripe_events', {
  eventId: text('event_id').primaryKey(),
  type: text('type').notNull(),
  // What handling it did ('applied', 'ignored', 'unknown_top_up', ...), for the operator's diagnosis.
  outcome: text('outcome').notNull(),
  receivedAtMs: integer('received_at_ms').notNull(),
});

export type TopUpRow = typeof topUps.$inferSelect;
export type NewTopUpRow = typeof topUps.$inferInsert;
