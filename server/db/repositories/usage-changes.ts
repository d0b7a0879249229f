// Usage changes appended now and added to the totals later (SQLite's single writer only). A spend
// decision used to add its change to governance_window_usage and governance_task_usage at once: two
// or three statements, and a page of each table per person, more than half of what a decision cost
// for 500 people's budgets (bench/governance.bench.ts). Now it appends one row to
// governance_usage_changes, in the same transaction, at the end of one table whose last page the whole
// batch shares, and the writer's memory (governance-memory.ts) applies the change to the totals it
// serves. The changes are folded into the totals, summed by row, every FOLD_EVERY changes and before
// anything reads the totals from the database, so what the database says is always totals plus
// changes, and every read of it sees exactly that:
// - a read of a person's totals (or of one task's row) folds first when this connection appended a
//   change for them since its last fold, or when it cannot know (at start, after another connection's
//   commit, after memory forgot anything: a rolled-back batch or a write in another transaction);
// - a window is created, and the totals are read for an audit, only after folding everything, in the
//   same transaction: a change folded after its window was created would be counted twice, since the
//   new window's totals are computed from the reservations themselves;
// - a fold is trusted to have emptied the table only when it committed or belongs to the writer's
//   batch (whose rollback makes memory forget, and this module with it).
// Another connection may append and fold too (its own repositories do the same): its commit makes
// memory forget everything, and this module then folds before its next read.
// Folding sums each row's changes in one statement per table. That is exactly the statements applied
// one change at a time (the property tests compare): a change adds to every window containing its
// moment and to its service's row in each; a new reservation's change creates missing service and
// task rows and widens its task's first and last times; a later change only adds to rows that exist,
// which its reservation's change made.
import type Database from 'better-sqlite3';
import { writerMemoryOf, type WriterMemory } from '../writer-memory';

/** A change as governance-repository.ts appends it. */
export type UsageChangeParams = {
  userId: string;
  atMs: number;
  serviceId: string | null;
  taskId: string | null;
  posted: number;
  pending: number;
  fee: number;
  credit: number;
};

/**
 * No window is longer: a budget month is at most 31 days and an hour (createWindow refuses longer). It
 * bounds the search for the windows containing a moment to the person's last month of rows, however
 * long their history.
 */
export const LONGEST_WINDOW_MS = 32 * 24 * 3_600_000;

/** Fold after this many appended changes: each person's rows are then written once per fold, not once per spend. */
export const FOLD_EVERY = 4_096;

/** The writer memory's name for "the table was folded", whose forgetting means it may hold changes again. */
const FOLDED = 'usage-changes:folded';

export type UsageChanges = ReturnType<typeof createUsageChanges>;

function createUsageChanges(sqlite: Database.Database, writer: WriterMemory) {
  const statements = prepareFold(sqlite);
  /** True when the table may hold changes this connection does not know of. */
  let unknown = true;
  /** The people, and the tasks (with their person), this connection appended changes for since it folded them. */
  const users = new Set<string>();
  const tasks = new Map<string, string>();
  let appended = 0;
  // Memory forgetting anything means a batch rolled back (restoring changes a fold had removed), a
  // write happened in another transaction, or another connection committed: then fold before reading.
  writer.register({ forget: () => (unknown = true), forgetAll: () => (unknown = true) });

  /** Folds everyone's changes, or one person's (their rows depend on theirs alone). */
  function fold(userId: string | null): void {
    statements.fold(userId);
    if (userId === null) appended = 0;
    // Trusted only if it stays: committed, or in the writer's batch, whose rollback (restoring the
    // changes) makes memory forget this owner. In any other transaction, wrote() forgets it now.
    if (!writer.wrote(FOLDED)) return;
    if (userId === null) {
      unknown = false;
      users.clear();
      tasks.clear();
      return;
    }
    users.delete(userId);
    for (const [taskId, owner] of tasks) if (owner === userId) tasks.delete(taskId);
  }

  return {
    /** Appends a change (in the caller's transaction); folds everyone's when enough have gathered. */
    append(change: UsageChangeParams, isNew: boolean): void {
      const { userId, atMs, serviceId, taskId } = change;
      statements.append.run(userId, atMs, serviceId, taskId, isNew ? 1 : 0, change.posted, change.pending, change.fee, change.credit);
      users.add(userId);
      if (taskId !== null) tasks.set(taskId, userId);
      appended += 1;
      if (appended >= FOLD_EVERY) fold(null);
    },

    /** Before reading a person's totals from the database (and, when given, one task's row). */
    foldForPerson(userId: string, taskId: string | null): void {
      if (unknown) fold(null);
      else if (users.has(userId) || (taskId !== null && tasks.has(taskId))) fold(userId);
    },

    /** Before reading one task's row from the database. */
    foldForTask(userId: string, taskId: string): void {
      if (unknown) fold(null);
      else if (tasks.has(taskId)) fold(userId);
    },

    /** Before creating a window or reading every total: folds whatever the table holds. */
    foldAll(): void {
      fold(null);
    },
  };
}

/** Folds changes (everyone's, or one person's) into the totals and deletes them, in one transaction (or the caller's). */
function prepareFold(sqlite: Database.Database) {
  // Everyone's changes (no userId), or one person's.
  const WHOSE = (column: string) => `(@userId IS NULL OR ${column} = @userId)`;
  // Positional parameters: binding by name costs a lookup per parameter, on every spend.
  const append = sqlite.prepare<[string, number, string | null, string | null, number, number, number, number, number]>(`
    INSERT INTO governance_usage_changes
      (user_id, at_ms, service_id, task_id, is_new, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const any = sqlite.prepare('SELECT 1 FROM governance_usage_changes LIMIT 1').pluck();
  // Each change counts in every window of its person containing its moment (the window's own row,
  // service id '') and in its service's row there. Service rows missing are made only by a new
  // reservation's change; other changes add to rows that exist.
  const foldWindows = sqlite.prepare<{ userId: string | null }>(`
    WITH targets AS (
      SELECT w.user_id, w.starts_at_ms, w.ends_at_ms, CASE part.n WHEN 0 THEN '' ELSE c.service_id END AS service_id,
        c.is_new, c.posted_msat, c.pending_msat, c.fee_reserve_msat, c.refund_credit_msat
      FROM governance_usage_changes c
      JOIN governance_window_usage w ON w.user_id = c.user_id AND w.service_id = ''
        AND w.starts_at_ms <= c.at_ms AND w.starts_at_ms > c.at_ms - ${LONGEST_WINDOW_MS} AND w.ends_at_ms > c.at_ms
      JOIN (SELECT 0 AS n UNION ALL SELECT 1) part ON part.n = 0 OR c.service_id IS NOT NULL
      WHERE ${WHOSE('c.user_id')}
    ), sums AS (
      SELECT user_id, starts_at_ms, ends_at_ms, service_id, max(is_new) AS is_new, sum(posted_msat) AS posted,
        sum(pending_msat) AS pending, sum(fee_reserve_msat) AS fee, sum(refund_credit_msat) AS credit
      FROM targets GROUP BY user_id, starts_at_ms, ends_at_ms, service_id
    )
    INSERT INTO governance_window_usage
      (user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
    SELECT user_id, starts_at_ms, ends_at_ms, service_id, posted, pending, fee, credit FROM sums s
    WHERE s.service_id = '' OR s.is_new = 1 OR EXISTS (SELECT 1 FROM governance_window_usage e
      WHERE e.user_id = s.user_id AND e.starts_at_ms = s.starts_at_ms AND e.ends_at_ms = s.ends_at_ms AND e.service_id = s.service_id)
    ON CONFLICT (user_id, starts_at_ms, ends_at_ms, service_id) DO UPDATE SET
      posted_msat = posted_msat + excluded.posted_msat, pending_msat = pending_msat + excluded.pending_msat,
      fee_reserve_msat = fee_reserve_msat + excluded.fee_reserve_msat, refund_credit_msat = refund_credit_msat + excluded.refund_credit_msat`);
  // A task's row is made by its first new reservation's change; only new reservations widen its
  // first and last times (the sentinels leave them alone when a fold has none).
  const foldTasks = sqlite.prepare<{ userId: string | null }>(`
    WITH sums AS (
      SELECT user_id, task_id, max(is_new) AS is_new,
        coalesce(min(CASE WHEN is_new = 1 THEN at_ms END), ${Number.MAX_SAFE_INTEGER}) AS first_at,
        coalesce(max(CASE WHEN is_new = 1 THEN at_ms END), -1) AS last_at,
        sum(posted_msat) AS posted, sum(pending_msat) AS pending, sum(fee_reserve_msat) AS fee, sum(refund_credit_msat) AS credit
      FROM governance_usage_changes WHERE task_id IS NOT NULL AND ${WHOSE('user_id')} GROUP BY user_id, task_id
    )
    INSERT INTO governance_task_usage
      (user_id, task_id, first_at_ms, last_at_ms, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
    SELECT user_id, task_id, first_at, last_at, posted, pending, fee, credit FROM sums s
    WHERE s.is_new = 1 OR EXISTS (SELECT 1 FROM governance_task_usage t WHERE t.task_id = s.task_id AND t.user_id = s.user_id)
    ON CONFLICT (task_id, user_id) DO UPDATE SET
      posted_msat = posted_msat + excluded.posted_msat, pending_msat = pending_msat + excluded.pending_msat,
      fee_reserve_msat = fee_reserve_msat + excluded.fee_reserve_msat, refund_credit_msat = refund_credit_msat + excluded.refund_credit_msat,
      first_at_ms = min(first_at_ms, excluded.first_at_ms), last_at_ms = max(last_at_ms, excluded.last_at_ms)`);
  const remove = sqlite.prepare<{ userId: string | null }>(`DELETE FROM governance_usage_changes WHERE ${WHOSE('user_id')}`);
  const fold = sqlite.transaction((userId: string | null) => {
    if (any.get() === undefined) return;
    foldWindows.run({ userId });
    foldTasks.run({ userId });
    remove.run({ userId });
  });
  // IMMEDIATE when it is a transaction of its own (a read's fold): one that read first and then wrote
  // would fail at once, without waiting, if another connection had committed in between. Inside the
  // caller's transaction it is a savepoint.
  return { append, fold: (userId: string | null) => fold.immediate(userId) };
}

const perConnection = new WeakMap<Database.Database, UsageChanges>();

/** The connection's changes, shared by every governance repository on it; null on PostgreSQL (no single writer). */
export function usageChangesOf(sqlite: Database.Database): UsageChanges | null {
  const writer = writerMemoryOf(sqlite);
  if (writer === null) return null;
  let changes = perConnection.get(sqlite);
  if (changes === undefined) {
    changes = createUsageChanges(sqlite, writer);
    perConnection.set(sqlite, changes);
  }
  return changes;
}

/**
 * Folds what the table holds, as Steward stops, so a stopped database's totals are complete by
 * themselves (scripts/copy-sqlite-to-postgres.ts copies only such a file). No-op on PostgreSQL.
 */
export function foldUsageChanges(sqlite: Database.Database): void {
  usageChangesOf(sqlite)?.foldAll();
}
