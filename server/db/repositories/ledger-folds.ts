// What SQLite's single writer folds into the ledger in batches rather than with every transfer: a
// person's reservations by time (ledger_reservations_by_user) and each person's total of pending holds
// (ledger_pending_holds). Written with each transfer, for 500 people's budgets each took a page of its
// own per decision: the index's entry at the person's place 1.3 of the 3.3 pages a decision wrote, the
// person's holds row 0.61 of the 2.2 left (bench/governance.bench.ts). A fold writes each person's page
// once, however many transfers they made since the last one.
//
// The fold mark (ledger_fold_mark) says how far both go: every transfer up to it is in both tables,
// and readers add the transfers after it, read from ledger_transfers by id (USER_RESERVATION_IDS,
// USER_PENDING_HOLDS, PENDING_HOLDS_BY_USER): fewer than FOLD_EVERY rows. That is exact because ids
// only grow, SQLite has one writer at a time, and a fold takes every transfer up to the one that folds.
// The writer folds:
// - when a transfer is recorded FOLD_EVERY ids past the mark, in its transaction (a rollback undoes
//   both; nothing is remembered outside the database). The usage changes (usage-changes.ts) are
//   folded then too: each fold stalls the writer, and every decision in flight waits for it, so two
//   folds at once cost those decisions one wait instead of two (a decision makes a transfer and a
//   change, so the ledger's fold comes first and the changes rarely reach their own);
// - when Steward stops, so a stopped file is folded to its end (scripts/copy-sqlite-to-postgres.ts
//   copies only such a file).
// PostgreSQL has no single writer, and its transactions commit out of id order, so a fold there could
// pass a transfer not yet committed: it writes both with each transfer, in its transaction, and its
// mark is the largest id (its migration 0032), so the same reads find no transfer after it.
import type Database from 'better-sqlite3';
import { writerMemoryOf } from '../writer-memory';
import { foldUsageChanges } from './usage-changes';

/** Fold when a transfer's id is this far past the mark: each person's pages are then written once per fold. */
export const FOLD_EVERY = 4_096;

/** What a recorded transfer tells the folds. */
type Recorded = { id: number; kind: string; userId: string | null; createdAtMs: number };

const MARK = '(SELECT through_transfer_id FROM ledger_fold_mark WHERE id = 1)';

/**
 * What each transfer after `after` does to its person's holds: a reservation adds its amount to its
 * person's, its resolution (post, void or expire) takes the same amount off the reservation's person's.
 */
const holdChangesAfter = (after: string) => `
  SELECT CASE t.kind WHEN 'reserve' THEN t.user_id ELSE r.user_id END AS user_id,
    CASE t.kind WHEN 'reserve' THEN t.amount_msat ELSE -r.amount_msat END AS change_msat
  FROM ledger_transfers t LEFT JOIN ledger_transfers r ON r.id = t.pending_id
  WHERE t.id > ${after} AND t.kind <> 'transfer'`;

/**
 * The ids of @userId's reservations made in [@fromMs, @toMs): the indexed ones and those after the
 * mark (named parameters).
 */
export const USER_RESERVATION_IDS = `
  SELECT transfer_id FROM ledger_reservations_by_user
  WHERE user_id = @userId AND created_at_ms >= @fromMs AND created_at_ms < @toMs
  UNION ALL
  SELECT id FROM ledger_transfers
  WHERE id > ${MARK} AND kind = 'reserve' AND user_id = @userId AND created_at_ms >= @fromMs AND created_at_ms < @toMs`;

/** @userId's pending holds, as "pendingMsat": the folded total and the changes after the mark. */
export const USER_PENDING_HOLDS = `
  SELECT coalesce((SELECT pending_msat FROM ledger_pending_holds WHERE user_id = @userId), 0)
    + coalesce((SELECT sum(changes.change_msat) FROM (${holdChangesAfter(MARK)}) changes WHERE changes.user_id = @userId), 0)
    AS "pendingMsat"`;

/** Every person's pending holds (user_id, pending_msat), for audits and overviews: one pass over each part. */
export const PENDING_HOLDS_BY_USER = `
  SELECT holds.user_id, sum(holds.pending_msat) AS pending_msat FROM (
    SELECT user_id, pending_msat FROM ledger_pending_holds
    UNION ALL
    SELECT changes.user_id, changes.change_msat FROM (${holdChangesAfter(MARK)}) changes) holds
  GROUP BY holds.user_id`;

/** The fold, on SQLite (positional parameters: binding by name costs a lookup, on every transfer). */
function prepareFold(sqlite: Database.Database) {
  const mark = sqlite.prepare<[], number>(`SELECT through_transfer_id FROM ledger_fold_mark WHERE id = 1`).pluck();
  const indexAfter = sqlite.prepare<[number]>(`
    INSERT INTO ledger_reservations_by_user (transfer_id, user_id, created_at_ms)
    SELECT id, user_id, created_at_ms FROM ledger_transfers WHERE id > ? AND kind = 'reserve' AND user_id IS NOT NULL`);
  // Each changed person's new total in one row, so the upsert never proposes a negative total (the
  // CHECK judges the proposed row too). WHERE true: SQLite's upsert after a SELECT needs a WHERE.
  const holdsAfter = sqlite.prepare<[number]>(`
    INSERT INTO ledger_pending_holds (user_id, pending_msat)
    SELECT changed.user_id, coalesce((SELECT pending_msat FROM ledger_pending_holds h WHERE h.user_id = changed.user_id), 0) + changed.change_msat
    FROM (SELECT user_id, sum(change_msat) AS change_msat FROM (${holdChangesAfter('?')}) WHERE user_id IS NOT NULL GROUP BY user_id) changed
    WHERE changed.change_msat <> 0
    ON CONFLICT (user_id) DO UPDATE SET pending_msat = excluded.pending_msat`);
  const moveMark = sqlite.prepare<[number]>('UPDATE ledger_fold_mark SET through_transfer_id = ? WHERE id = 1');
  const lastId = sqlite.prepare<[], number>('SELECT coalesce(max(id), 0) FROM ledger_transfers').pluck();
  return {
    mark: () => mark.get() ?? 0,
    /** Folds every transfer after `from` up to `through`, the newest, and moves the mark there. */
    fold(from: number, through: number): void {
      indexAfter.run(from);
      holdsAfter.run(from);
      moveMark.run(through);
    },
    lastId: () => lastId.get() ?? 0,
  };
}

export type LedgerFolds = ReturnType<typeof ledgerFoldsOn>;

/** The folded tables' writes on a connection: in batches on SQLite's single writer, at once on PostgreSQL. */
export function ledgerFoldsOn(sqlite: Database.Database) {
  // Only SQLite's connection has a single writer (PostgreSQL's is a synchronous stand-in, server/db/postgres).
  return writerMemoryOf(sqlite) === null ? writtenAtOnce(sqlite) : foldedInBatches(sqlite);
}

function foldedInBatches(sqlite: Database.Database) {
  const { mark, fold } = prepareFold(sqlite);
  return {
    /** After a transfer's row is written, in its transaction: folds when it is far enough past the mark. */
    recorded(row: Recorded): void {
      const from = mark();
      if (row.id - from < FOLD_EVERY) return;
      fold(from, row.id);
      foldUsageChanges(sqlite);
    },
    // The transfer's row is the hold's record until the fold adds it to the total.
    holdAdded(): void {},
    /** Always true: a pending reservation's row is its hold, so its hold is recorded. */
    holdReleased(): boolean {
      return true;
    },
  };
}

function writtenAtOnce(sqlite: Database.Database) {
  const index = sqlite.prepare<[number, string, number]>(
    'INSERT INTO ledger_reservations_by_user (transfer_id, user_id, created_at_ms) VALUES (?, ?, ?)',
  );
  // Qualified on the right: PostgreSQL would not know which pending_msat a bare name meant.
  const addHold = sqlite.prepare<[string, number]>(`
    INSERT INTO ledger_pending_holds (user_id, pending_msat) VALUES (?, ?)
    ON CONFLICT (user_id) DO UPDATE SET pending_msat = ledger_pending_holds.pending_msat + excluded.pending_msat`);
  // An UPDATE, not the upsert with a negative amount: the CHECK would refuse the proposed row itself.
  const releaseHold = sqlite.prepare<[number, string]>('UPDATE ledger_pending_holds SET pending_msat = pending_msat - ? WHERE user_id = ?');
  return {
    recorded(row: Recorded): void {
      if (row.kind === 'reserve' && row.userId !== null) index.run(row.id, row.userId, row.createdAtMs);
    },
    holdAdded(userId: string, amountMsat: number): void {
      addHold.run(userId, amountMsat);
    },
    /** False if the person had no holds row: a pending reservation's hold was not recorded. */
    holdReleased(userId: string, amountMsat: number): boolean {
      return releaseHold.run(amountMsat, userId).changes === 1;
    },
  };
}

/** Folds every transfer after the mark, as Steward stops. No-op on PostgreSQL, which writes both at once. */
export function foldLedger(sqlite: Database.Database): void {
  if (writerMemoryOf(sqlite) === null) return;
  const { mark, fold, lastId } = prepareFold(sqlite);
  sqlite.transaction(() => {
    const from = mark();
    const through = lastId();
    if (through > from) fold(from, through);
  }).immediate();
}

/** True when a SQLite file holds transfers after its fold mark (it was not stopped cleanly). */
export function hasUnfoldedTransfers(sqlite: Database.Database): boolean {
  return sqlite.prepare(`SELECT 1 FROM ledger_transfers WHERE id > ${MARK} LIMIT 1`).get() !== undefined;
}
