// SQL for the ledger, kept apart from its rules (server/domain/ledger). Everything here is synchronous
// (better-sqlite3) so the domain can compose these calls inside one IMMEDIATE transaction.
// Only INSERT and SELECT: the ledger tables are append-only.
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../client';
import {
  ledgerAccounts,
  ledgerEntries,
  ledgerTransfers,
  type LedgerAccountRow,
  type LedgerTransferRow,
  type NewLedgerTransferRow,
} from '../schema/ledger';

export type NewLedgerAccountRow = typeof ledgerAccounts.$inferInsert;
export interface NewLedgerEntry {
  accountId: number;
  amountMsat: number;
}
/** A reservation (kind reserve) with the transfer that resolved it, if any. */
export interface ReservationRows {
  reservation: LedgerTransferRow;
  resolution: LedgerTransferRow | null;
}

const resolutions = alias(ledgerTransfers, 'resolution');

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;

export function createLedgerRepository(db: Db) {
  function listReservations(filter: {
    id?: number;
    userId?: string;
    pendingOnly?: boolean;
    expiresAtOrBeforeMs?: number;
  }): ReservationRows[] {
    const conditions = [eq(ledgerTransfers.kind, 'reserve')];
    if (filter.id !== undefined) conditions.push(eq(ledgerTransfers.id, filter.id));
    if (filter.userId !== undefined) conditions.push(eq(ledgerTransfers.userId, filter.userId));
    if (filter.pendingOnly) conditions.push(isNull(resolutions.id));
    if (filter.expiresAtOrBeforeMs !== undefined) {
      conditions.push(lte(ledgerTransfers.expiresAtMs, filter.expiresAtOrBeforeMs));
    }
    return db
      .select({ reservation: ledgerTransfers, resolution: resolutions })
      .from(ledgerTransfers)
      .leftJoin(resolutions, eq(resolutions.pendingId, ledgerTransfers.id))
      .where(and(...conditions))
      .orderBy(asc(ledgerTransfers.id))
      .all();
  }

  return {
    findAccountByCode(code: string): LedgerAccountRow | undefined {
      return db.select().from(ledgerAccounts).where(eq(ledgerAccounts.code, code)).get();
    },

    findAccountById(id: number): LedgerAccountRow | undefined {
      return db.select().from(ledgerAccounts).where(eq(ledgerAccounts.id, id)).get();
    },

    insertAccount(row: NewLedgerAccountRow): LedgerAccountRow {
      return db.insert(ledgerAccounts).values(row).returning().get();
    },

    /** The balance is the sum of the account's entries; there is no stored balance to drift. */
    balanceMsat(accountId: number): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${ledgerEntries.amountMsat}), 0)` })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.accountId, accountId))
        .get();
      return row?.total ?? 0;
    },

    findTransferByKey(idempotencyKey: string): LedgerTransferRow | undefined {
      return db
        .select()
        .from(ledgerTransfers)
        .where(eq(ledgerTransfers.idempotencyKey, idempotencyKey))
        .get();
    },

    findTransferById(id: number): LedgerTransferRow | undefined {
      return db.select().from(ledgerTransfers).where(eq(ledgerTransfers.id, id)).get();
    },

    insertTransfer(row: NewLedgerTransferRow): LedgerTransferRow {
      return db.insert(ledgerTransfers).values(row).returning().get();
    },

    insertEntries(transferId: number, createdAtMs: number, entries: readonly NewLedgerEntry[]): void {
      db.insert(ledgerEntries)
        .values(entries.map((entry) => ({ ...entry, transferId, createdAtMs })))
        .run();
    },

    findReservation(id: number): ReservationRows | undefined {
      return listReservations({ id })[0];
    },

    /** Reservations not yet posted, voided or expired, oldest first. */
    listPendingReservations(userId?: string): ReservationRows[] {
      return listReservations({ pendingOnly: true, ...(userId === undefined ? {} : { userId }) });
    },

    /** Pending reservations whose expiry is at or before the given time. */
    listDueReservations(nowMs: number): ReservationRows[] {
      return listReservations({ pendingOnly: true, expiresAtOrBeforeMs: nowMs });
    },

    // Audit queries behind checkInvariants(): each returns the rows that break a rule.

    sumOfAllEntriesMsat(): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${ledgerEntries.amountMsat}), 0)` })
        .from(ledgerEntries)
        .get();
      return row?.total ?? 0;
    },

    unbalancedTransfers(): { transferId: number; sumMsat: number }[] {
      return db
        .select({
          transferId: ledgerTransfers.id,
          sumMsat: sql<number>`coalesce(sum(${ledgerEntries.amountMsat}), 0)`,
        })
        .from(ledgerTransfers)
        .leftJoin(ledgerEntries, eq(ledgerEntries.transferId, ledgerTransfers.id))
        .groupBy(ledgerTransfers.id)
        .having(sql`coalesce(sum(${ledgerEntries.amountMsat}), 0) <> 0 OR count(${ledgerEntries.id}) < 2`)
        .all();
    },

    accountsBelowFloor(): { code: string; balanceMsat: number }[] {
      return db
        .select({
          code: ledgerAccounts.code,
          balanceMsat: sql<number>`sum(${ledgerEntries.amountMsat})`,
        })
        .from(ledgerAccounts)
        .innerJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
        .where(eq(ledgerAccounts.floor, 'non_negative'))
        .groupBy(ledgerAccounts.id)
        .having(sql`sum(${ledgerEntries.amountMsat}) < 0`)
        .all();
    },

    /** Resolutions that point at something other than a reservation, or share one reservation. */
    invalidResolutions(): { pendingId: number; count: number; pendingKind: string | null }[] {
      const pending = alias(ledgerTransfers, 'pending');
      return db
        .select({
          pendingId: sql<number>`${ledgerTransfers.pendingId}`,
          count: sql<number>`count(*)`,
          pendingKind: pending.kind,
        })
        .from(ledgerTransfers)
        .leftJoin(pending, eq(pending.id, ledgerTransfers.pendingId))
        .where(sql`${ledgerTransfers.pendingId} IS NOT NULL`)
        .groupBy(ledgerTransfers.pendingId)
        .having(sql`count(*) > 1 OR ${pending.kind} IS NOT 'reserve'`)
        .all();
    },

    /** Each user's reserved balance next to the sum of their pending reservations. */
    reservedBalancesVsPending(): { userId: string; balanceMsat: number; pendingMsat: number }[] {
      const rows = db.all<{ userId: string; balanceMsat: number; pendingMsat: number }>(sql`
        SELECT a.owner_user_id AS userId,
          (SELECT coalesce(sum(e.amount_msat), 0) FROM ledger_entries e WHERE e.account_id = a.id)
            AS balanceMsat,
          (SELECT coalesce(sum(r.amount_msat), 0) FROM ledger_transfers r
            WHERE r.kind = 'reserve' AND r.user_id = a.owner_user_id
              AND NOT EXISTS (SELECT 1 FROM ledger_transfers x WHERE x.pending_id = r.id))
            AS pendingMsat
        FROM ledger_accounts a WHERE a.kind = 'user_reserved'`);
      return rows;
    },
  };
}
