// Where a provider stands (server/domain/reputation/standing.ts): a person's own blocklist of providers,
// the services paused for everyone because too many of their paid calls were not delivered, and the
// operators' pause policy (one row) that decides when that happens.
import { sql } from 'drizzle-orm';
import { check, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** A provider this person never pays again (until they unblock it, with step-up). */
export const providerBlocks = sqliteTable(
  'provider_blocks',
  {
    userId: text('user_id').notNull(),
    providerId: text('provider_id').notNull(),
    providerName: text('provider_name').notNull(),
    // The dispute the block was made from, when it was (the one-click block on a dispute).
    disputeId: text('dispute_id'),
    blockedAtMs: integer('blocked_at_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.providerId] })],
);

/** A service paused for everyone; the row exists until an operator resumes it. */
export const servicePauses = sqliteTable('service_pauses', {
  serviceId: text('service_id').primaryKey(),
  providerId: text('provider_id').notNull(),
  // The 30-day figures that passed the threshold, kept as they were when it paused.
  paidCalls: integer('paid_calls').notNull(),
  nonDeliveryBps: integer('non_delivery_bps').notNull(),
  thresholdBps: integer('threshold_bps').notNull(),
  pausedAtMs: integer('paused_at_ms').notNull(),
});

/** The operators' auto-pause policy: one row (id 1); absent means the defaults (shared/reputation.ts). */
export const pausePolicy = sqliteTable(
  'pause_policy',
  {
    id: integer('id').primaryKey(),
    thresholdBps: integer('threshold_bps').notNull(),
    minPaidCalls: integer('min_paid_calls').notNull(),
    updatedAtMs: integer('updated_at_ms').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [
    check('pause_policy_one_row', sql`${t.id} = 1`),
    check('pause_policy_threshold', sql`${t.thresholdBps} BETWEEN 1 AND 10000`),
    check('pause_policy_min_calls', sql`${t.minPaidCalls} >= 1`),
  ],
);

export type ProviderBlockRow = typeof providerBlocks.$inferSelect;
export type ServicePauseRow = typeof servicePauses.$inferSelect;
export type PausePolicyRow = typeof pausePolicy.$inferSelect;
