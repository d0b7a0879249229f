// Which reservations are a person's, by time: ledger_reservations_by_user, an index kept apart from
// ledger_transfers. An index on ledger_transfers (user_id, created_at_ms) was written with every
// reservation at the person's place in it: for 500 people's budgets, a page of its own per decision,
// 1.3 of the 3.3 pages a decision wrote (bench/governance.bench.ts). SQLite's single writer now adds
// reservations to this table in thousands, in id order, so each fold writes each person's page once:
// - when a reservation is recorded FOLD_EVERY ids past the last one indexed, in its transaction (a
//   rollback undoes both; nothing is remembered outside the database);
// - when Steward stops, so a stopped file's index is complete (scripts/copy-sqlite-to-postgres.ts
//   copies only such a file).
// Readers never wait for a fold: a person's reservations are the indexed ones plus the reservations
// after the last one indexed (USER_RESERVATION_IDS), a search by id through the rows recorded since:
// fewer than FOLD_EVERY reservations, with the resolutions and transfers among and after them. Every
// reservation up to the last one indexed is indexed, because ids only grow and a fold takes every
// reservation after it.
// PostgreSQL has no single writer, and its transactions commit out of id order, so a fold there
// could pass a reservation not yet committed: each reservation is indexed at once, in its own
// transaction. The same query reads both: on PostgreSQL no committed reservation lies after the last
// one indexed.
import type Database from 'better-sqlite3';
import { writerMemoryOf } from '../writer-memory';

/** Fold when a reservation's id is this far past the last one indexed: each person's page is then written once per fold. */
export const FOLD_EVERY = 4_096;

/** What a recorded transfer tells the index. */
type Recorded = { id: number; kind: string; userId: string | null; createdAtMs: number };

const LAST_INDEXED = 'SELECT coalesce(max(transfer_id), 0) FROM ledger_reservations_by_user';

/**
 * The ids of @userId's reservations made in [@fromMs, @toMs): the indexed ones and those after the
 * last one indexed (named parameters).
 */
export const USER_RESERVATION_IDS = `
  SELECT transfer_id FROM ledger_reservations_by_user
  WHERE user_id = @userId AND created_at_ms >= @fromMs AND created_at_ms < @toMs
  UNION ALL
  SELECT id FROM ledger_transfers
  WHERE id > (${LAST_INDEXED}) AND kind = 'reserve' AND user_id = @userId AND created_at_ms >= @fromMs AND created_at_ms < @toMs`;

/** Indexes the reservations after a given id (positional: binding by name costs a lookup, on every spend). */
function prepareFold(sqlite: Database.Database) {
  const lastIndexed = sqlite.prepare<[], number>(LAST_INDEXED).pluck();
  const indexAfter = sqlite.prepare<[number]>(`
    INSERT INTO ledger_reservations_by_user (transfer_id, user_id, created_at_ms)
    SELECT id, user_id, created_at_ms FROM ledger_transfers WHERE id > ? AND kind = 'reserve' AND user_id IS NOT NULL`);
  return { lastIndexed: () => lastIndexed.get() ?? 0, indexAfter: (id: number) => indexAfter.run(id) };
}

export type ReservationsByUser = ReturnType<typeof reservationsByUserOn>;

/** The index's writes on a connection: folded on SQLite's single writer, at once on PostgreSQL. */
export function reservationsByUserOn(sqlite: Database.Database) {
  // Only SQLite's connection has a single writer (PostgreSQL's is a synchronous stand-in, server/db/postgres).
  if (writerMemoryOf(sqlite) === null) {
    const insert = sqlite.prepare<[number, string, number]>(
      'INSERT INTO ledger_reservations_by_user (transfer_id, user_id, created_at_ms) VALUES (?, ?, ?)',
    );
    return {
      recorded(row: Recorded): void {
        if (row.kind === 'reserve' && row.userId !== null) insert.run(row.id, row.userId, row.createdAtMs);
      },
    };
  }
  const { lastIndexed, indexAfter } = prepareFold(sqlite);
  return {
    /** After a transfer's row is written, in its transaction. */
    recorded(row: Recorded): void {
      // Only a reservation folds: it then indexes itself, so the last one indexed always moves on. A
      // run of other transfers (an expiry sweep, top-ups) would find nothing new to index, again and again.
      if (row.kind !== 'reserve') return;
      const last = lastIndexed();
      if (row.id - last >= FOLD_EVERY) indexAfter(last);
    },
  };
}

/**
 * Indexes every reservation not yet indexed, as Steward stops. No-op on PostgreSQL, which indexes
 * each reservation at once.
 */
export function foldReservationsByUser(sqlite: Database.Database): void {
  if (writerMemoryOf(sqlite) === null) return;
  const { lastIndexed, indexAfter } = prepareFold(sqlite);
  indexAfter(lastIndexed());
}

/** True when a SQLite file holds reservations not yet indexed (it was not stopped cleanly). */
export function hasUnindexedReservations(sqlite: Database.Database): boolean {
  return sqlite.prepare(`SELECT 1 FROM ledger_transfers WHERE id > (${LAST_INDEXED}) AND kind = 'reserve' LIMIT 1`).get() !== undefined;
}
