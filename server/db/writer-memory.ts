// What repositories may keep in memory between transactions on one SQLite connection, and when they
// must forget it. A spend decision reads the person's settings and budget usage twice (the policy,
// then the budget check under the write lock) and writes the usage once: served from memory, those
// reads cost nothing (bench/governance.bench.ts), which is most of what lets one process decide
// 20,000 spends a second.
//
// Memory is only ever a copy of committed rows, or of rows the current group-commit batch wrote
// itself (server/db/group-commit.ts), so a read from it returns exactly what the database would:
// - reads use memory only outside any transaction, or inside the writer's batch. Inside any other
//   transaction they go to the database, which sees that transaction's own uncommitted writes;
// - a repository that writes rows tells `wrote(owner)`: in the batch (or outside any transaction,
//   where the write has committed) it may apply the same change to what it remembers; inside another
//   transaction, which may still roll back, every repository forgets that owner's rows instead;
// - everything remembered or changed in a batch is journaled by owner; if the batch rolls back, those
//   owners are forgotten;
// - another connection's commit (another process, a worker, a second handle on the same file) moves
//   SQLite's `PRAGMA data_version`, checked when a batch begins and by the first read outside a
//   transaction in each run of synchronous code: then everything is forgotten.
// So every writer of a remembered table must be a repository that calls `wrote` (governance's usage
// and settings: governance-repository.ts), and a unit of a batch must not catch an error thrown by a
// savepoint nested in it and carry on (group-commit.ts already requires units never to swallow a
// failed write). On PostgreSQL there is no single writer (several instances share the database), so
// there is no memory at all: `writerMemoryOf` returns null and every read goes to the database.
import Database from 'better-sqlite3';

export interface Forgetter {
  /** Drop what is remembered of this owner's rows. */
  forget(owner: string): void;
  /** Drop everything. */
  forgetAll(): void;
}

export type WriterMemory = ReturnType<typeof createWriterMemory>;

function createWriterMemory(sqlite: Database.Database) {
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  const forgetters = new Set<Forgetter>();
  /** Owners remembered or changed in the open batch, forgotten if it rolls back. */
  // An array reused from batch to batch, not a Set: clearing a Set drops its table, and refilling it
  // reallocated the table several times per batch. An owner may appear more than once; forgetting is
  // idempotent.
  const journal: string[] = [];
  let journaled = 0;
  const journalOwner = (owner: string) => {
    journal[journaled] = owner;
    journaled += 1;
  };
  let inBatch = false;
  let lastVersion = dataVersion.get() as number;
  /** Set by the first read outside a transaction in a run of synchronous code; cleared after it. */
  let lookedThisRun = false;

  const forget = (owner: string) => forgetters.forEach((forgetter) => forgetter.forget(owner));
  const forgetAll = () => forgetters.forEach((forgetter) => forgetter.forgetAll());

  /** Forgets everything if another connection committed since the last look. */
  function checkOthers(): void {
    const version = dataVersion.get() as number;
    if (version === lastVersion) return;
    lastVersion = version;
    forgetAll();
  }

  return {
    /** A repository's hook to drop what it remembers; kept for the life of the connection. */
    register(forgetter: Forgetter): void {
      forgetters.add(forgetter);
    },

    /**
     * Whether a read of `owner`'s rows may be served from (and then kept in) memory right now. When it
     * may, the owner is journaled if a batch is open, so a rollback forgets what the read kept.
     */
    readable(owner: string): boolean {
      if (inBatch) {
        journalOwner(owner);
        return true;
      }
      if (sqlite.inTransaction) return false;
      // Reads outside a transaction in one run of synchronous code (a policy's settings, then its
      // usage) share the look its first read took: they answer as of that moment, one consistent
      // snapshot, and the next run looks again. A look is a statement, as costly as a memory read.
      if (!lookedThisRun) {
        lookedThisRun = true;
        queueMicrotask(() => {
          lookedThisRun = false;
        });
        checkOthers();
      }
      return true;
    },

    /**
     * Call after writing `owner`'s remembered rows. True: apply the same change to what is remembered
     * (the write is in the batch, or has committed). False: it was forgotten; remember nothing of it.
     */
    wrote(owner: string): boolean {
      if (inBatch) {
        journalOwner(owner);
        return true;
      }
      if (!sqlite.inTransaction) return true;
      forget(owner);
      return false;
    },

    /** Drops everything remembered (see forgetWriterMemory). */
    forgetAll,

    /** Group commit: called first thing inside the batch's IMMEDIATE transaction. */
    batchBegan(): void {
      checkOthers();
      journaled = 0;
      inBatch = true;
    },

    /** Group commit: the batch committed, so what it remembered and wrote is the database's state. */
    batchCommitted(): void {
      inBatch = false;
      journaled = 0;
    },

    /** Group commit: the batch rolled back (a unit threw, or BEGIN or COMMIT failed). */
    batchRolledBack(): void {
      inBatch = false;
      for (let i = 0; i < journaled; i += 1) forget(journal[i] as string);
      journaled = 0;
    },
  };
}

const memories = new WeakMap<Database.Database, { writer: WriterMemory; parts: Map<unknown, unknown> }>();

/** The connection's memory, shared by every repository on it; null on PostgreSQL (see above). */
export function writerMemoryOf(sqlite: Database.Database): WriterMemory | null {
  if (!(sqlite instanceof Database)) return null;
  let memory = memories.get(sqlite);
  if (memory === undefined) {
    memory = { writer: createWriterMemory(sqlite), parts: new Map() };
    memories.set(sqlite, memory);
  }
  return memory.writer;
}

/**
 * A kind of rows' memory on the connection (governance's, the ledger's), made once by `create` and
 * shared by every repository of that kind on it, so a write through one is seen by all; null on PostgreSQL.
 */
export function memoryPartOf<T>(sqlite: Database.Database, create: (writer: WriterMemory) => T): T | null {
  const writer = writerMemoryOf(sqlite);
  const parts = memories.get(sqlite)?.parts;
  if (writer === null || parts === undefined) return null;
  if (!parts.has(create)) parts.set(create, create(writer));
  return parts.get(create) as T;
}

/**
 * Drops everything remembered on the connection. Only for rows changed behind the repositories' back
 * on this same connection, which the app never does: a test standing in for a row an older version
 * wrote before this process started, and so before anything was remembered.
 */
export function forgetWriterMemory(sqlite: Database.Database): void {
  writerMemoryOf(sqlite)?.forgetAll();
}
