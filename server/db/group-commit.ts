// Group commit: one writer runs the synchronous units of work that arrive together in ONE IMMEDIATE
// transaction and settles every caller's promise only after that transaction has committed. On a
// file, the commit (writing the dirtied pages to the WAL) is most of the cost of a small write; pages
// that several units dirty (the ledger's last page, a busy person's usage rows) are written once per
// batch instead of once per unit. TigerBeetle batches the same way.
//
// Guarantees, unchanged from one transaction per unit:
// - a unit's outcome is reported only after the commit that made it durable; if the commit fails,
//   every unit of the batch is rejected (none of them happened);
// - a unit that throws leaves no trace and its caller gets the error; the rest of its batch commits.
//   Units run without a savepoint each (a SAVEPOINT and its RELEASE cost about as much as one of a
//   write-ahead's inserts, bench/governance.bench.ts): when one throws, the whole transaction is
//   rolled back and the batch runs again without it. A unit may therefore run more than once before
//   it commits: it must only read and write the database, with no effect outside it;
// - units run one after another under SQLite's write lock (BEGIN IMMEDIATE), so a unit that reads
//   then writes (a budget check, then a reservation) sees every earlier unit of the batch and every
//   other process's committed writes, exactly as it would alone. Other processes wait on the lock as
//   before (busy_timeout).
// What arrives in one turn of the event loop forms a batch (setImmediate): no timer adds latency, and
// under load the batch grows by itself. A unit must be synchronous: it runs inside the transaction.
import type Database from 'better-sqlite3';
import { writerMemoryOf } from './writer-memory';

interface Unit {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Thrown out of the batch's transaction (rolling it back) when one of its units throws. */
class UnitFailed {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {}
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

  // What the batch reads and writes may be kept in memory past it (writer-memory.ts), which must know
  // where the batch's transaction begins and whether it committed.
  const memory = writerMemoryOf(sqlite);
  const runBatch = sqlite.transaction((units: readonly Unit[]): unknown[] => {
    memory?.batchBegan();
    return units.map((unit, index) => {
      try {
        return unit.run();
      } catch (error) {
        throw new UnitFailed(index, error);
      }
    });
  });

  /** One try at the batch's transaction, telling the memory how it ended. */
  function attempt(units: readonly Unit[]): unknown[] {
    try {
      const values = runBatch.immediate(units);
      memory?.batchCommitted();
      return values;
    } catch (error) {
      memory?.batchRolledBack();
      throw error;
    }
  }

  /** Runs the batch until it commits, dropping (and rejecting) each unit that throws. */
  function commit(batch: Unit[]): void {
    let units = batch;
    while (units.length > 0) {
      try {
        const values = attempt(units);
        units.forEach((unit, index) => unit.resolve(values[index]));
        return;
      } catch (error) {
        if (!(error instanceof UnitFailed)) {
          // BEGIN or COMMIT failed: nothing of the batch was written.
          for (const unit of units) unit.reject(error);
          return;
        }
        units[error.index]?.reject(error.error);
        units = units.filter((_, index) => index !== error.index);
      }
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(maxBatch);
    if (queue.length > 0) schedule();
    commit(batch);
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    /**
     * Runs `run` inside the next batch's transaction and resolves with its result once that
     * transaction has committed. `run` must not await (SQLite transactions are synchronous) and may
     * run more than once before committing, so it must not act outside the database.
     */
    submit<T>(run: () => T extends PromiseLike<unknown> ? never : T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}
