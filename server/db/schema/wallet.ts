// The spending wallet's own records: a person's own wallet (bring your own), the invoices they asked
// for (receive) and the invoices they paid out (withdraw), and where reconciliation last left off.
// Money itself is only ever in the ledger; these rows say what happened on the wallet side.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts';

/**
 * A wallet the person connected themselves. While a row exists it is their spending wallet; the
 * provisioned one (user_wallets) stays stored for when they disconnect.
 */
export const ownWallets = sqliteTable('own_wallets', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  nwcUrlCiphertext: text('nwc_url_ciphertext').notNull(),
  alias: text('alias').notNull(),
  connectedAtMs: integer('connected_at_ms').notNull(),
});

export const WALLET_OPERATION_KINDS = ['receive', 'withdraw'] as const;
/**
 * receive:  open -> settled | expired.
 * withdraw: reserved -> paying -> settled | failed (paying stays while the outcome is unknown).
 */
export const WALLET_OPERATION_STATUSES = ['open', 'reserved', 'paying', 'settled', 'failed', 'expired'] as const;

export const walletOperations = sqliteTable(
  'wallet_operations',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: WALLET_OPERATION_KINDS }).notNull(),
    status: text('status', { enum: WALLET_OPERATION_STATUSES }).notNull(),
    paymentHash: text('payment_hash').notNull(),
    invoice: text('invoice').notNull(),
    amountMsat: integer('amount_msat').notNull(),
    /** withdraw: the routing-fee allowance held with the amount; 0 for receive. */
    feeAllowanceMsat: integer('fee_allowance_msat').notNull(),
    /** withdraw: the fee actually paid, once settled. */
    feeMsat: integer('fee_msat'),
    failureReason: text('failure_reason'),
    expiresAtMs: integer('expires_at_ms').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    settledAtMs: integer('settled_at_ms'),
  },
  (t) => [
    uniqueIndex('wallet_operations_kind_hash_unique').on(t.kind, t.paymentHash),
    index('wallet_operations_user_idx').on(t.userId, t.createdAtMs),
    index('wallet_operations_open_idx').on(t.status).where(sql`status IN ('open', 'reserved', 'paying')`),
    check('wallet_operations_amount_positive', sql`${t.amountMsat} > 0`),
  ],
);

/** Reconciliation's place per person: the wallet's history before `sinceMs` belongs to another wallet. */
export const walletSync = sqliteTable('wallet_sync', {
  userId: text('user_id').primaryKey(),
  /** When the current spending wallet became it (0: since the account began). */
  sinceMs: integer('since_ms').notNull(),
  /** The unexplained difference last alerted about, so one drift is one alert, not one per pass. */
  lastDriftMsat: integer('last_drift_msat'),
  checkedAtMs: integer('checked_at_ms'),
});

export type OwnWalletRow = typeof ownWallets.$inferSelect;
export type WalletOperationRow = typeof walletOperations.$inferSelect;
export type WalletSyncRow = typeof walletSync.$inferSelect;
