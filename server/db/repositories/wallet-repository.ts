// Storage for the wallet domain: own-wallet connections, receive and withdraw operations, and
// reconciliation's place per person. Every read and write names the user it is for.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { ownWallets, walletOperations, walletSync, type OwnWalletRow, type WalletOperationRow } from '../schema/wallet';

export type WalletRepository = ReturnType<typeof createWalletRepository>;
type OperationStatus = WalletOperationRow['status'];

export function createWalletRepository(db: Db) {
  return {
    findOwnWallet(userId: string): OwnWalletRow | undefined {
      return db.select().from(ownWallets).where(eq(ownWallets.userId, userId)).get();
    },
    saveOwnWallet(row: OwnWalletRow): void {
      db.insert(ownWallets)
        .values(row)
        .onConflictDoUpdate({ target: ownWallets.userId, set: { nwcUrlCiphertext: row.nwcUrlCiphertext, alias: row.alias, connectedAtMs: row.connectedAtMs } })
        .run();
    },
    deleteOwnWallet(userId: string): void {
      db.delete(ownWallets).where(eq(ownWallets.userId, userId)).run();
    },

    insertOperation(row: WalletOperationRow): void {
      db.insert(walletOperations).values(row).run();
    },
    operation(userId: string, id: string): WalletOperationRow | undefined {
      return db.select().from(walletOperations).where(and(eq(walletOperations.userId, userId), eq(walletOperations.id, id))).get();
    },
    operationByHash(kind: WalletOperationRow['kind'], paymentHash: string): WalletOperationRow | undefined {
      return db.select().from(walletOperations).where(and(eq(walletOperations.kind, kind), eq(walletOperations.paymentHash, paymentHash))).get();
    },
    /** Moves an operation on only from one of `from`: true when this caller made the change. */
    transition(id: string, from: readonly OperationStatus[], set: Partial<Pick<WalletOperationRow, 'status' | 'feeMsat' | 'failureReason' | 'settledAtMs'>>): boolean {
      const result = db
        .update(walletOperations)
        .set(set)
        .where(and(eq(walletOperations.id, id), inArray(walletOperations.status, [...from])))
        .run();
      return result.changes === 1;
    },
    /** Operations not yet finished, oldest first: for one person, or everybody's (the periodic job). */
    unfinished(userId?: string): WalletOperationRow[] {
      const open = inArray(walletOperations.status, ['open', 'reserved', 'paying']);
      return db
        .select()
        .from(walletOperations)
        .where(userId === undefined ? open : and(open, eq(walletOperations.userId, userId)))
        .orderBy(walletOperations.createdAtMs)
        .all();
    },
    /** Every operation of one person, newest first, for the movements list's status column. */
    operationsFor(userId: string): WalletOperationRow[] {
      return db.select().from(walletOperations).where(eq(walletOperations.userId, userId)).orderBy(desc(walletOperations.createdAtMs)).all();
    },

    /**
     * True while money is on its way into the wallet in use: an invoice that wallet made is stored to be
     * paid, for a top-up not yet funded or a dispute's refund (the provider's return invoice while it is
     * asked, or the treasury's). One not made yet will be made on whichever wallet is in use then, so a
     * top-up waiting for a wallet (`no_wallet`) never keeps the person from connecting one.
     */
    moneyOnItsWay(userId: string): boolean {
      const row = db.get<{ coming: number }>(sql`
        SELECT CASE WHEN EXISTS (SELECT 1 FROM top_ups WHERE user_id = ${userId}
                                 AND status IN ('paid', 'funding', 'funding_delayed') AND invoice IS NOT NULL)
                      OR EXISTS (SELECT 1 FROM disputes WHERE user_id = ${userId} AND status = 'refunding'
                                 AND (provider_step = 'asking' OR refund_invoice IS NOT NULL))
               THEN 1 ELSE 0 END AS coming`);
      return Number(row?.coming) === 1;
    },

    /** Everybody with a spending wallet, provisioned or their own: whom reconciliation visits. */
    usersWithWallets(): string[] {
      return db.all<{ userId: string }>(sql`SELECT user_id AS userId FROM user_wallets UNION SELECT user_id FROM own_wallets`).map((row) => row.userId);
    },
    /**
     * Whether Steward initiated or recorded a payment with this hash: a purchase (payments), or any
     * ledger movement that names it (receipts, withdrawals, top-ups put `paymentHash` in metadata).
     */
    isKnownPaymentHash(paymentHash: string): boolean {
      // Cheapest first, each on an index, and stop at the first hit: most transactions are purchases.
      const purchase = db.get(sql`SELECT 1 AS hit FROM payments WHERE payment_hash = ${paymentHash} LIMIT 1`);
      if (purchase) return true;
      const operation = db.get(sql`SELECT 1 AS hit FROM wallet_operations WHERE kind IN ('receive', 'withdraw') AND payment_hash = ${paymentHash} LIMIT 1`);
      if (operation) return true;
      // A card top-up's funding invoice, paid into the person's wallet by the treasury.
      const topUp = db.get(sql`SELECT 1 AS hit FROM top_ups WHERE payment_hash = ${paymentHash} LIMIT 1`);
      if (topUp) return true;
      // A dispute's refund invoice, paid into the person's wallet by the treasury.
      const refund = db.get(sql`SELECT 1 AS hit FROM disputes WHERE refund_payment_hash = ${paymentHash} LIMIT 1`);
      if (refund) return true;
      // A scan of transfer metadata: reached only by incoming money that is not a receipt (top-ups, outside).
      return Boolean(db.get(sql`SELECT 1 AS hit FROM ledger_transfers WHERE kind = 'transfer' AND json_extract(metadata_json, '$.paymentHash') = ${paymentHash} LIMIT 1`));
    },

    syncOf(userId: string) {
      return db.select().from(walletSync).where(eq(walletSync.userId, userId)).get();
    },
    /** A new spending wallet: reconciliation starts over from `sinceMs`, with no drift alerted yet. */
    restartSync(userId: string, sinceMs: number): void {
      db.insert(walletSync)
        .values({ userId, sinceMs, lastDriftMsat: null, checkedAtMs: null })
        .onConflictDoUpdate({ target: walletSync.userId, set: { sinceMs, lastDriftMsat: null, checkedAtMs: null } })
        .run();
    },
    recordCheck(userId: string, checkedAtMs: number, lastDriftMsat: number | null): void {
      db.insert(walletSync)
        .values({ userId, sinceMs: 0, lastDriftMsat, checkedAtMs })
        .onConflictDoUpdate({ target: walletSync.userId, set: { lastDriftMsat, checkedAtMs } })
        .run();
    },
  };
}
