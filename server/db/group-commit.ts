// Group commit: one writer runs the synchronous units of work that arrive together in ONE IMMEDIATE
// transaction, each in its own savepoint, and settles every caller's promise only after that
// transaction has committed. On a file, the commit (writing the dirtied pages to the WAL) is most of
// the cost of a small write; pages that several units dirty (the ledger's last page, a busy person's
// usage rows) are written once per batch instead of once per unit. TigerBeetle batches the same way.
//
// Guarantees, unchanged from one transaction per unit:
// - a unit's outcome is reported only after the commit that made it durable; if the commit fails,
//   every unit of the batch is rejected (none of them happened);
// - a unit that throws rolls back to its savepoint: its writes vanish, the others' stay, and its
//   caller gets the error;
// - units run one after another under SQLite's write lock (BEGIN IMMEDIATE), so a unit that reads
//   then writes (a budget check, then a reservation) sees every earlier unit of the batch and every
//   other process's committed writes, exactly as it would alone. Other processes wait on the lock as
//   before (busy_timeout).
// What arrives in one turn of the event loop forms a batch (setImmediate): no timer adds latency, and
// under load the batch grows by itself. A unit must be synchronous: it runs inside the transaction.
import type Database from 'better-sqlite3';

type Settle = { ok: true; value: unknown } | { ok: false; error: unknown };
interface Unit {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** At most this many units per transaction, so one batch cannot hold the lock for long. */
  maxBatch?: number;
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;

export function createGroupCommit(sqlite: Database.Database, options: GroupCommitOptions = {}) {
  const maxBatch = options.maxBatch ?? 256;
  let queue: Unit[] = [];
  let scheduled = false;

  // Each unit is a nested better-sqlite3 transaction, i.e. a SAVEPOINT that is rolled back if it throws.
  const inSavepoint = sqlite.transaction((run: () => unknown) => run());
  const runBatch = sqlite.transaction((units: readonly Unit[]): Settle[] =>
    units.map((unit) => {
      try {
        return { ok: true, value: inSavepoint(unit.run) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  function flush(): void {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    if (queue.length > 0) schedule();
    let outcomes: Settle[];
    try {
      outcomes = runBatch.immediate(batch);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the batch was written.
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) unit.resolve(outcome.value);
      else unit.reject(outcome?.error);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    /**
     * Runs `run` inside the next batch's transaction and resolves with its result once that
     * transaction has committed. `run` must not await: SQLite transactions are synchronous.
     */
    submit<T>(run: () => T extends PromiseLike<unknown> ? never : T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}
