// SQL for the ledger, kept apart from its rules (server/domain/ledger). Everything here is synchronous
// (better-sqlite3) so the domain can compose these calls inside one IMMEDIATE transaction.
// Only INSERT and SELECT on the ledger tables, which are append-only; ledger_pending_holds, a running
// total of each user's pending reservations, and ledger_reservations_by_user are written by the folds
// (ledger-folds.ts), and read with the transfers after the fold mark. Every statement is
// prepared once per repository: rebuilding and re-preparing SQL on each call cost more than running
// it. The statements every operation runs are plain SQL on the better-sqlite3 connection, returning
// rows shaped like drizzle's (selectList): drizzle's per-call placeholder filling and row mapping cost
// about a fifth of a reservation.
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { DatabaseHandle, Db } from '../client';
import {
  ledgerAccounts,
  ledgerBalances,
  ledgerEntries,
  ledgerTransfers,
  type LedgerAccountRow,
  type LedgerTransferRow,
  type NewLedgerTransferRow,
} from '../schema/ledger';
import { ledgerFoldsOn, PENDING_HOLDS_BY_USER, USER_PENDING_HOLDS, USER_RESERVATION_IDS } from './ledger-folds';
import { holdsOwner, ledgerMemoryOf, type AccountFunds } from './ledger-memory';
import { selectList } from './select-list';

export interface NewLedgerEntry {
  accountId: number;
  amountMsat: number;
}
/**
 * An account, its cached balance and, for a user's available or reserved account, the owner's total of
 * pending holds (0 for any other account): what a funds check needs, in one read.
 */
export type AccountWithBalance = AccountFunds;
/** A reservation (kind reserve), its destination's code and the transfer that resolved it, if any. */
export interface ReservationRows {
  reservation: LedgerTransferRow;
  destinationCode: string;
  resolution: LedgerTransferRow | null;
}

const ACCOUNT = selectList(ledgerAccounts);
const TRANSFER = selectList(ledgerTransfers);

type Params = Record<string, string | number | null>;

const resolutions = alias(ledgerTransfers, 'resolution');
const destinations = alias(ledgerAccounts, 'destination');
const p = sql.placeholder;
const BALANCE = `coalesce((SELECT balance_msat FROM ledger_balances WHERE account_id = ledger_accounts.id), 0) AS "balanceMsat"`;
type BalanceColumns = { balanceMsat: number };

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;

export function createLedgerRepository(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>) {
  const { db, sqlite: raw } = handle;
  const reservations = (...conditions: SQL[]) =>
    db
      .select({ reservation: ledgerTransfers, destinationCode: destinations.code, resolution: resolutions })
      .from(ledgerTransfers)
      .innerJoin(destinations, eq(destinations.id, ledgerTransfers.destinationAccountId))
      .leftJoin(resolutions, eq(resolutions.pendingId, ledgerTransfers.id))
      // Literal, not a bound parameter, so SQLite can use the partial indexes on reservations.
      .where(and(sql`${ledgerTransfers.kind} = 'reserve'`, ...conditions));
  const reservationsWhere = (...conditions: SQL[]) =>
    reservations(...conditions).orderBy(asc(ledgerTransfers.id)).prepare();
  const audit = prepareAuditQueries(db, raw);

  const statements = {
    accountByCode: raw.prepare<[string], LedgerAccountRow>(`SELECT ${ACCOUNT} FROM ledger_accounts WHERE code = ?`),
    accountById: raw.prepare<[number], LedgerAccountRow>(`SELECT ${ACCOUNT} FROM ledger_accounts WHERE id = ?`),
    accountWithBalanceByCode: raw.prepare<[string], LedgerAccountRow & BalanceColumns>(
      `SELECT ${ACCOUNT}, ${BALANCE} FROM ledger_accounts WHERE code = ?`,
    ),
    // A reservation's three accounts (available, reserved, destination) and their balances in one
    // read: the reservation's funds check, with the user's pending holds.
    accountsWithBalances: raw.prepare<[string, string, string], LedgerAccountRow & BalanceColumns>(
      `SELECT ${ACCOUNT}, ${BALANCE} FROM ledger_accounts WHERE code IN (?, ?, ?)`,
    ),
    pendingHolds: raw.prepare<Params, { pendingMsat: number }>(USER_PENDING_HOLDS),
    insertAccount: raw.prepare<Params, LedgerAccountRow>(`
      INSERT INTO ledger_accounts (code, kind, owner_user_id, floor, created_at_ms)
      VALUES (@code, @kind, @ownerUserId, @floor, @createdAtMs) RETURNING ${ACCOUNT}`),
    balance: raw.prepare<[number], { balanceMsat: number }>(
      'SELECT balance_msat AS balanceMsat FROM ledger_balances WHERE account_id = ?',
    ),
    // A user's held money reported where it sat before holds (see allBalances below).
    allBalances: raw.prepare<[], { code: string; kind: LedgerAccountRow['kind']; balanceMsat: number }>(`
      SELECT a.code, a.kind, coalesce(b.balance_msat, 0) + CASE a.kind
          WHEN 'user_available' THEN -coalesce(h.pending_msat, 0)
          WHEN 'user_reserved' THEN coalesce(h.pending_msat, 0) ELSE 0 END AS "balanceMsat"
      FROM ledger_accounts a
      LEFT JOIN ledger_balances b ON b.account_id = a.id
      LEFT JOIN (${PENDING_HOLDS_BY_USER}) h ON h.user_id = a.owner_user_id
      ORDER BY a.code`),
    transferByKey: raw.prepare<[string], LedgerTransferRow>(
      `SELECT ${TRANSFER} FROM ledger_transfers WHERE idempotency_key = ?`,
    ),
    transferById: raw.prepare<[number], LedgerTransferRow>(`SELECT ${TRANSFER} FROM ledger_transfers WHERE id = ?`),
    // Positional parameters, in the order insertTransfer builds its row: cheaper to bind than names.
    insertTransfer: raw.prepare<(string | number | null)[]>(`
      INSERT INTO ledger_transfers (idempotency_key, request_json, kind, pending_id, debit_account_id,
        credit_account_id, destination_account_id, user_id, amount_msat, fee_msat, expires_at_ms, reason,
        metadata_json, created_at_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertEntry: raw.prepare<[number, number, number, number]>(
      'INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (?, ?, ?, ?)',
    ),
    reservationById: reservationsWhere(eq(ledgerTransfers.id, p('id'))),
    pendingReservations: reservationsWhere(isNull(resolutions.id)),
    // Ids first, through the person's reservations (ledger-folds.ts); then each one's rows.
    pendingReservationIdsOfUser: raw.prepare<Params, { id: number }>(`
      SELECT r.id FROM ledger_transfers r WHERE r.id IN (${USER_RESERVATION_IDS})
        AND NOT EXISTS (SELECT 1 FROM ledger_transfers x WHERE x.pending_id = r.id)
      ORDER BY r.id`),
    // Unordered in SQL: ordering by id would make SQLite scan the table in id order rather than use
    // the expiry index; listDueReservations sorts the (few) rows instead.
    dueReservations: reservations(isNull(resolutions.id), lte(ledgerTransfers.expiresAtMs, p('nowMs'))).prepare(),
  };

  // The single writer's memory of accounts, balances and holds (SQLite only; ledger-memory.ts).
  const memory = ledgerMemoryOf(raw);
  // A user's reservations by time and pending holds, folded in batches on SQLite (ledger-folds.ts).
  const folds = ledgerFoldsOn(raw);
  const storedFunds = (codes: readonly string[]): Map<string, AccountWithBalance> => {
    const found = new Map<string, AccountWithBalance>();
    const rows = codes.length === 1 ? statements.accountWithBalanceByCode.all(codes[0] ?? '') : statements.accountsWithBalances.all(codes[0] ?? '', codes[1] ?? '', codes[2] ?? '');
    const holds = new Map<string, number>(); // a reservation's two accounts are one person's: read once
    for (const { balanceMsat, ...account } of rows) {
      const owner = holdsOwner(account);
      if (owner !== null && !holds.has(owner)) holds.set(owner, statements.pendingHolds.get({ userId: owner })?.pendingMsat ?? 0);
      found.set(account.code, { account, balanceMsat, pendingHoldsMsat: owner === null ? 0 : (holds.get(owner) ?? 0) });
    }
    return found;
  };
  const funds = (codes: readonly string[]) => (memory === null ? storedFunds(codes) : memory.funds(codes, () => storedFunds(codes)));

  return {
    findAccountByCode(code: string): LedgerAccountRow | undefined {
      const read = () => statements.accountByCode.get(code);
      return memory === null ? read() : memory.accountByCode(code, read);
    },

    /** An account, its (cached) balance and holds in one read; undefined if the account does not exist. */
    findAccountWithBalance(code: string): AccountWithBalance | undefined {
      return funds([code]).get(code);
    },

    /** Those of the three accounts that exist, by code, each with its (cached) balance and holds. */
    findAccountsWithBalances(codes: readonly [string, string, string]): Map<string, AccountWithBalance> {
      return funds(codes);
    },

    findAccountById(id: number): LedgerAccountRow | undefined {
      const read = () => statements.accountById.get(id);
      return memory === null ? read() : memory.accountById(id, read);
    },

    insertAccount(row: Omit<LedgerAccountRow, 'id'>): LedgerAccountRow {
      const inserted = statements.insertAccount.get({ ...row });
      if (inserted === undefined) throw new Error('insert into ledger_accounts returned no row');
      memory?.accountInserted(inserted);
      return inserted;
    },

    /**
     * The account's balance from ledger_balances, which a trigger keeps equal to the sum of its
     * entries in the same transaction (checked by cachedBalancesVsEntries). No row: no entries yet.
     */
    balanceMsat(accountId: number): number {
      const read = () => statements.balance.get(accountId)?.balanceMsat ?? 0;
      return memory === null ? read() : memory.balance(accountId, read);
    },

    /**
     * Every account's balance in one pass, for overviews. A user's pending holds are reported as they
     * were before holds moved no money: out of their available account and in their reserved one, so
     * available is what they may spend, reserved what is held, and the balances still sum to zero.
     */
    allBalances(): { code: string; kind: LedgerAccountRow['kind']; balanceMsat: number }[] {
      return statements.allBalances.all();
    },

    findTransferByKey(idempotencyKey: string): LedgerTransferRow | undefined {
      return statements.transferByKey.get(idempotencyKey);
    },

    /** Single-phase transfers out of an account for the given reasons, oldest first. */
    listTransfersDebiting(accountId: number, reasons: readonly string[]): LedgerTransferRow[] {
      return db
        .select()
        .from(ledgerTransfers)
        .where(and(sql`${ledgerTransfers.kind} = 'transfer'`, eq(ledgerTransfers.debitAccountId, accountId), inArray(ledgerTransfers.reason, [...reasons])))
        .orderBy(asc(ledgerTransfers.id))
        .all();
    },

    findTransferById(id: number): LedgerTransferRow | undefined {
      return statements.transferById.get(id);
    },

    /** The row as written: every column is given here, so it is built from the values, not read back. */
    insertTransfer(row: NewLedgerTransferRow): LedgerTransferRow {
      // One object, built once: the statement's values are taken from it in the columns' order, and it
      // becomes the returned row once its id is known. Every reservation comes here, and the objects a
      // decision allocates set how often young-generation collections stall every decision in flight
      // (docs/architecture.md, "What a spend decision costs").
      const written: LedgerTransferRow = {
        id: 0,
        idempotencyKey: row.idempotencyKey ?? null,
        requestJson: row.requestJson,
        kind: row.kind,
        pendingId: row.pendingId ?? null,
        debitAccountId: row.debitAccountId,
        creditAccountId: row.creditAccountId,
        destinationAccountId: row.destinationAccountId ?? null,
        userId: row.userId ?? null,
        amountMsat: row.amountMsat,
        feeMsat: row.feeMsat ?? 0,
        expiresAtMs: row.expiresAtMs ?? null,
        reason: row.reason ?? null,
        metadataJson: row.metadataJson ?? null,
        createdAtMs: row.createdAtMs,
      };
      const { lastInsertRowid } = statements.insertTransfer.run(
        written.idempotencyKey, written.requestJson, written.kind, written.pendingId, written.debitAccountId,
        written.creditAccountId, written.destinationAccountId, written.userId, written.amountMsat, written.feeMsat,
        written.expiresAtMs, written.reason, written.metadataJson, written.createdAtMs,
      );
      written.id = Number(lastInsertRowid);
      folds.recorded(written);
      return written;
    },

    insertEntries(transferId: number, createdAtMs: number, entries: readonly NewLedgerEntry[]): void {
      for (const { accountId, amountMsat } of entries) {
        statements.insertEntry.run(transferId, accountId, amountMsat, createdAtMs);
      }
      memory?.entriesInserted(entries);
    },

    /** Adds a new reservation's amount to its user's pending holds (after its row is recorded). */
    addPendingHold(userId: string, amountMsat: number): void {
      folds.holdAdded(userId, amountMsat);
      memory?.holdsChanged(userId, amountMsat);
    },

    /** Takes a resolved reservation's amount off its user's pending holds; false if its hold was not recorded. */
    releasePendingHold(userId: string, amountMsat: number): boolean {
      const released = folds.holdReleased(userId, amountMsat);
      if (released) memory?.holdsChanged(userId, -amountMsat);
      return released;
    },

    findReservation(id: number): ReservationRows | undefined {
      return statements.reservationById.get({ id });
    },

    /** Reservations not yet posted, voided or expired, oldest first. */
    listPendingReservations(userId?: string): ReservationRows[] {
      if (userId === undefined) return statements.pendingReservations.all();
      const ids = statements.pendingReservationIdsOfUser.all({ userId, fromMs: Number.MIN_SAFE_INTEGER, toMs: Number.MAX_SAFE_INTEGER });
      return ids.flatMap(({ id }) => statements.reservationById.all({ id }));
    },

    /** Pending reservations whose expiry is at or before the given time. */
    listDueReservations(nowMs: number): ReservationRows[] {
      return statements.dueReservations.all({ nowMs }).sort((a, b) => a.reservation.id - b.reservation.id);
    },

    // Audit queries behind checkInvariants(): each returns the rows that break a rule. They scan
    // the whole ledger, so they are for tests and audits, not for every request.
    sumOfAllEntriesMsat: (): number => audit.sumOfAllEntries.get()?.total ?? 0,
    unbalancedTransfers: (): { transferId: number; sumMsat: number }[] => audit.unbalancedTransfers.all(),
    accountsBelowFloor: (): { code: string; balanceMsat: number }[] => audit.accountsBelowFloor.all(),
    /** Resolutions that point at something other than a reservation, or share one reservation. */
    invalidResolutions: (): { pendingId: number; count: number; pendingKind: string | null }[] =>
      audit.invalidResolutions.all(),
    /**
     * Users whose holds break a rule: their reserved balance is not 0, their recorded pending holds
     * differ from the sum of their pending reservations, or their available balance is below them.
     * Balances are summed from the entries, not read from the cache.
     */
    holdsOutOfStep: (): HoldsRow[] => audit.holdsOutOfStep.all(),
    /** Accounts whose cached balance differs from the sum of their entries (none, unless broken). */
    cachedBalancesVsEntries: (): { code: string; cachedMsat: number; entriesMsat: number }[] =>
      audit.cachedBalancesVsEntries.all(),
  };
}

export interface HoldsRow {
  userId: string;
  availableMsat: number;
  reservedMsat: number;
  /** The sum of the user's pending reservations. */
  pendingMsat: number;
  /** The pending holds as recorded: ledger_pending_holds and the transfers after the fold mark (0 without either). */
  recordedMsat: number;
}

function prepareAuditQueries(db: Db, raw: DatabaseHandle['sqlite']) {
  const pending = alias(ledgerTransfers, 'pending');
  const entriesTotal = sql<number>`coalesce(sum(${ledgerEntries.amountMsat}), 0)`;
  return {
    sumOfAllEntries: db.select({ total: entriesTotal }).from(ledgerEntries).prepare(),
    unbalancedTransfers: db
      .select({ transferId: ledgerTransfers.id, sumMsat: entriesTotal })
      .from(ledgerTransfers)
      .leftJoin(ledgerEntries, eq(ledgerEntries.transferId, ledgerTransfers.id))
      .groupBy(ledgerTransfers.id)
      // Reservations and resolutions may have none (a hold moves no money, nor does releasing it).
      .having(sql`${entriesTotal} <> 0 OR (${ledgerTransfers.kind} = 'transfer' AND count(${ledgerEntries.id}) < 2)`)
      .orderBy(ledgerTransfers.id)
      .prepare(),
    accountsBelowFloor: db
      .select({ code: ledgerAccounts.code, balanceMsat: entriesTotal })
      .from(ledgerAccounts)
      .innerJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
      .where(eq(ledgerAccounts.floor, 'non_negative'))
      .groupBy(ledgerAccounts.id)
      .having(sql`${entriesTotal} < 0`)
      .prepare(),
    invalidResolutions: db
      .select({
        pendingId: sql<number>`${ledgerTransfers.pendingId}`,
        count: sql<number>`count(*)`,
        pendingKind: pending.kind,
      })
      .from(ledgerTransfers)
      .leftJoin(pending, eq(pending.id, ledgerTransfers.pendingId))
      .where(isNotNull(ledgerTransfers.pendingId))
      // The reservation's kind is one value per group; PostgreSQL needs it named to select it.
      .groupBy(ledgerTransfers.pendingId, pending.kind)
      .having(sql`count(*) > 1 OR ${pending.kind} IS NOT 'reserve'`)
      .prepare(),
    // One pass over the entries (by owner, through the accounts' key) and one over the reservations;
    // the three per-user totals are then joined by user.
    holdsOutOfStep: raw.prepare<[], HoldsRow>(`
      WITH balances AS (
        SELECT a.owner_user_id AS user_id,
          sum(CASE WHEN a.kind = 'user_available' THEN e.amount_msat ELSE 0 END) AS available,
          sum(CASE WHEN a.kind = 'user_reserved' THEN e.amount_msat ELSE 0 END) AS reserved
        FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
        WHERE a.kind IN ('user_available', 'user_reserved')
        GROUP BY a.owner_user_id),
      pending AS (
        SELECT r.user_id, sum(r.amount_msat) AS total FROM ledger_transfers r
        WHERE r.kind = 'reserve' AND NOT EXISTS (SELECT 1 FROM ledger_transfers x WHERE x.pending_id = r.id)
        GROUP BY r.user_id),
      recorded AS (${PENDING_HOLDS_BY_USER}),
      users AS (
        SELECT user_id FROM balances UNION SELECT user_id FROM pending UNION SELECT user_id FROM recorded),
      holds AS (
        SELECT u.user_id, coalesce(b.available, 0) AS available, coalesce(b.reserved, 0) AS reserved,
          coalesce(p.total, 0) AS pending, coalesce(h.pending_msat, 0) AS recorded
        FROM users u
        LEFT JOIN balances b ON b.user_id = u.user_id
        LEFT JOIN pending p ON p.user_id = u.user_id
        LEFT JOIN recorded h ON h.user_id = u.user_id)
      SELECT user_id AS userId, available AS availableMsat, reserved AS reservedMsat, pending AS pendingMsat,
        recorded AS recordedMsat
      FROM holds WHERE reserved <> 0 OR recorded <> pending OR available < recorded
      ORDER BY user_id`),
    // Also catches a balance row without any entries behind it (its account's sum is 0).
    cachedBalancesVsEntries: db
      .select({
        code: ledgerAccounts.code,
        cachedMsat: sql<number>`coalesce(${ledgerBalances.balanceMsat}, 0)`,
        entriesMsat: entriesTotal,
      })
      .from(ledgerAccounts)
      .leftJoin(ledgerBalances, eq(ledgerBalances.accountId, ledgerAccounts.id))
      .leftJoin(ledgerEntries, eq(ledgerEntries.accountId, ledgerAccounts.id))
      .groupBy(ledgerAccounts.id, ledgerBalances.balanceMsat)
      .having(sql`coalesce(${ledgerBalances.balanceMsat}, 0) <> ${entriesTotal}`)
      .orderBy(ledgerAccounts.id)
      .prepare(),
  };
}
