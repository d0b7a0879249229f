// Leases on background work (server/domain/background/leases.ts): with several Steward instances on one
// database, an item of a periodic job (a payment to reconcile, a top-up to fund, a refund to pay, a
// wallet to sync, the catalog's refresh) is worked on by the one instance holding its lease. A lease
// ends at `expires_at_ms`, so the items of an instance that died are taken over by another.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const workLeases = sqliteTable(
  'work_leases',
  {
    // The job's name (`reconcile_payment`, `fund_top_up`, ...) and the item's id within it.
    job: text('job').notNull(),
    item: text('item').notNull(),
    // The instance holding it: a random id per process.
    holder: text('holder').notNull(),
    expiresAtMs: integer('expires_at_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.job, t.item] })],
);

export type WorkLeaseRow = typeof workLeases.$inferSelect;
