// The double-entry ledger: accounts, transfers and their entries. All three tables are append-only
// (triggers in the migrations refuse UPDATE and DELETE), so the history is the truth and every balance
// is derived by summing entries. `ledger_balances` caches those sums for reads (see below).
//
// A pending reservation is resolved by appending a second transfer (kind post | void | expire) whose
// `pending_id` points at it, as TigerBeetle does, rather than by updating a status column. The UNIQUE
// index on `pending_id` then makes "resolved at most once" a property the database enforces, and the
// resolution keeps its own idempotency key, time and amounts without any row ever changing.
// A reservation is a hold that moves no money (migration 0027): its row records the hold, and
// `ledger_pending_holds` (with the transfers after the fold mark) gives each user's total of pending holds, which the ledger subtracts from
// the user's available balance wherever it speaks of spendable funds. Only a post moves money, straight
// from the user's available account to the destination and routing fees.
// Amounts are INTEGER msat (SQLite integers are 64-bit; the code asserts JS safe integers).
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core';

export const ledgerAccounts = sqliteTable(
  'ledger_accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Stable natural key, e.g. "user:<id>:available", "provider:<name>", "treasury".
    code: text('code').notNull(),
    kind: text('kind', {
      enum: [
        'user_available',
        'user_reserved',
        'treasury',
        'provider',
        'routing_fees',
        'refunds',
        'provider_refunds',
        'stripe',
        'lightning',
        'user_withdrawing',
        'forfeited',
      ],
    }).notNull(),
    ownerUserId: text('owner_user_id'),
    // non_negative: the balance may never drop below zero. unbounded: the account stands for money
    // outside the system (card payments in, refunds granted) and goes negative as money enters.
    floor: text('floor', { enum: ['non_negative', 'unbounded'] }).notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_code_unique').on(t.code),
    index('ledger_accounts_owner_idx').on(t.ownerUserId),
    check('ledger_accounts_floor_valid', sql`${t.floor} IN ('non_negative', 'unbounded')`),
  ],
);

export const ledgerTransfers = sqliteTable(
  'ledger_transfers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Null only for expiry resolutions, which the ledger makes itself (no client to retry them).
    idempotencyKey: text('idempotency_key'),
    // Canonical JSON of the request, compared on replay to tell a retry from a reused key.
    requestJson: text('request_json').notNull(),
    kind: text('kind', { enum: ['transfer', 'reserve', 'post', 'void', 'expire'] }).notNull(),
    // For post | void | expire: the reservation this resolves.
    pendingId: integer('pending_id').references((): AnySQLiteColumn => ledgerTransfers.id),
    // transfer: debit -> credit. reserve: the user's available and reserved accounts (the hold moves
    // no money; reserved accounts keep a zero balance), held for `destination`.
    debitAccountId: integer('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: integer('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    destinationAccountId: integer('destination_account_id').references(() => ledgerAccounts.id),
    userId: text('user_id'),
    // transfer/reserve: the amount moved or held. post: paid to the destination. void/expire: released.
    amountMsat: integer('amount_msat').notNull(),
    // post: routing fee paid out of the reservation; 0 otherwise.
    feeMsat: integer('fee_msat').notNull().default(0),
    expiresAtMs: integer('expires_at_ms'),
    reason: text('reason'),
    metadataJson: text('metadata_json'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  // Partial indexes: each covers only the rows its queries read, so a write touches only the indexes
  // that concern it (every page a transaction dirties is written to the WAL at commit; that is most of
  // the cost of a reservation on a file). Queries that use them spell the condition out literally
  // (kind = 'reserve'), which is what lets SQLite pick a partial index.
  (t) => [
    uniqueIndex('ledger_transfers_idempotency_key_unique').on(t.idempotencyKey),
    // Resolutions only: reservations and transfers have no pending_id. Still UNIQUE where it matters.
    uniqueIndex('ledger_transfers_pending_id_unique').on(t.pendingId).where(sql`pending_id IS NOT NULL`),
    // A user's reservations by time are in ledger_reservations_by_user, not indexed here.
    // The expiry sweep.
    index('ledger_transfers_reserve_expires_idx').on(t.expiresAtMs).where(sql`kind = 'reserve'`),
    check(
      'ledger_transfers_kind_valid',
      sql`${t.kind} IN ('transfer', 'reserve', 'post', 'void', 'expire')`,
    ),
    check('ledger_transfers_amounts_non_negative', sql`${t.amountMsat} >= 0 AND ${t.feeMsat} >= 0`),
    check(
      'ledger_transfers_resolution_has_pending',
      sql`(${t.kind} IN ('post', 'void', 'expire')) = (${t.pendingId} IS NOT NULL)`,
    ),
    check(
      'ledger_transfers_key_present',
      sql`${t.idempotencyKey} IS NOT NULL OR ${t.kind} = 'expire'`,
    ),
  ],
);

export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    transferId: integer('transfer_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    accountId: integer('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    // Signed: positive raises the account's balance, negative lowers it. A transfer's entries sum to 0.
    amountMsat: integer('amount_msat').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  // No secondary indexes: balances are read from ledger_balances, and only the audits read entries,
  // each in one pass over the table. Entries are appended in transfer order, so every insert touches
  // only the table's last page.
  (t) => [check('ledger_entries_amount_non_zero', sql`${t.amountMsat} <> 0`)],
);

/**
 * Each account's balance, kept equal to the sum of its entries by a trigger on ledger_entries
 * (migration 0008), so it changes in the same statement, and so the same transaction, as the entries.
 * A cache that makes a balance one lookup instead of a sum over the account's whole history; the
 * entries stay the truth, and checkInvariants() verifies every cached balance against their sum.
 * An account without entries may have no row: its balance is zero.
 */
export const ledgerBalances = sqliteTable('ledger_balances', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => ledgerAccounts.id),
  balanceMsat: integer('balance_msat').notNull(),
});

/**
 * Each user's total of pending reservations (holds) as of the fold mark (ledger_fold_mark): a user's
 * holds are this row plus the reservations after the mark, less the reservations resolved after it
 * (PENDING_HOLDS_BY_USER, server/db/repositories/ledger-folds.ts), so a funds check reads one row and
 * a short tail instead of summing reservations. Not append-only: a running total, audited against the
 * reservations by checkInvariants(). A user without a row holds nothing; a row may stay at 0.
 */
export const ledgerPendingHolds = sqliteTable(
  'ledger_pending_holds',
  {
    userId: text('user_id').primaryKey(),
    pendingMsat: integer('pending_msat').notNull(),
  },
  (t) => [check('ledger_pending_holds_non_negative', sql`${t.pendingMsat} >= 0`)],
);

/**
 * A user's reservations by time: pending lists and budget usage scans. An index of ledger_transfers
 * kept as a table, so SQLite's single writer can add reservations to it in thousands rather than one
 * page per reservation (server/db/repositories/ledger-folds.ts). Keyed by the transfer's id,
 * so those additions append.
 */
export const ledgerReservationsByUser = sqliteTable(
  'ledger_reservations_by_user',
  {
    transferId: integer('transfer_id')
      .primaryKey()
      .references(() => ledgerTransfers.id),
    userId: text('user_id').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [index('ledger_reservations_by_user_idx').on(t.userId, t.createdAtMs)],
);

/**
 * How far SQLite's single writer has folded the ledger (server/db/repositories/ledger-folds.ts): every
 * transfer up to `through_transfer_id` is in ledger_reservations_by_user and ledger_pending_holds; the
 * transfers after it are read from ledger_transfers itself. One row. On PostgreSQL, which writes both
 * with each transfer, the mark is the largest id, so nothing is ever after it.
 */
export const ledgerFoldMark = sqliteTable(
  'ledger_fold_mark',
  {
    id: integer('id').primaryKey(),
    throughTransferId: integer('through_transfer_id').notNull(),
  },
  (t) => [check('ledger_fold_mark_one_row', sql`${t.id} = 1`)],
);

export type LedgerAccountRow = typeof ledgerAccounts.$inferSelect;
export type LedgerTransferRow = typeof ledgerTransfers.$inferSelect;
export type NewLedgerTransferRow = typeof ledgerTransfers.$inferInsert;
export type LedgerEntryRow = typeof ledgerEntries.$inferSelect;
