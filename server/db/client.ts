import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { isPostgresUrl, openPostgres } from './postgres/open';
import * as schema from './schema/index';

/** Drizzle over the connection; `$client` is the better-sqlite3 connection itself, for hot statements. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

export const sqliteMigrationsFolder = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens the app database: PostgreSQL when `location` is a postgres:// URL (server/db/postgres: several
 * instances on one database), otherwise the SQLite file at `location` (or ':memory:' for tests).
 */
export function openDatabase(location: string): DatabaseHandle {
  return isPostgresUrl(location) ? openPostgres(location) : openSqlite(location);
}

/**
 * Opens the SQLite database (whatever backend the app uses: the schema parity test and the copy to
 * PostgreSQL read SQLite itself) with the settings every caller relies on: WAL so readers never block the
 * single writer, foreign keys on (SQLite leaves them off by default), and a busy timeout so a
 * second process (e.g. a CLI command) waits instead of failing. Migrations run before anyone uses it.
 * Pass ':memory:' for tests.
 *
 * wal_autocheckpoint: the commit that pushes the WAL past this many pages copies what is left into
 * the database and fsyncs, on the event loop, while every request in flight waits. The app
 * (server/main.ts) checkpoints from a worker thread instead (checkpointer.ts), every few milliseconds
 * while commits arrive, which also syncs the WAL as often; so this ceiling is only the safety net for
 * a worker that stopped or fell behind. It is high because a steady stream of commits reaches it
 * anyway (SQLite starts the WAL over only when every frame is copied, and new ones keep coming): at
 * 10,000 pages, 500 people's write-aheads met it several times a second and its fsyncs put their p99
 * at 5-10 ms; at 100,000 (a WAL of up to 400 MB) it was 2-4 ms, and decisions ran 5-10% faster
 * (bench/governance.bench.ts). journal_size_limit gives the disk back once the WAL starts over. The
 * trade, with synchronous=NORMAL: a commit survives a crash of the process but not necessarily a
 * power loss until the WAL is next synced, which the worker's checkpoints do within milliseconds; a
 * process without the worker (a CLI command) syncs only at this ceiling or when it closes.
 *
 * synchronous=NORMAL under WAL: a commit is a write() of its pages to the WAL file, without fsync.
 * Once write() returns, the pages are in the operating system's cache, which outlives our process:
 * a crash, kill -9 or OOM of the app loses nothing committed, and the database is never corrupt
 * (WAL frames carry checksums; a torn tail is ignored on recovery). Only a power loss or kernel
 * crash can drop the last commits before the next checkpoint's fsync, and the ledger is reconciled
 * against the wallet (which holds the money) after any restart. FULL would fsync every commit, the
 * single largest cost of a spend decision on a file.
 *
 * temp_store=MEMORY: statement journals (the undo records SQLite keeps for a statement or savepoint
 * inside a larger transaction) stay in memory. On a file they were a temporary file created, written
 * with a pwrite per page and deleted in every write transaction that had a savepoint: a third of the
 * CPU of a spend decision (bench/governance.bench.ts). They are at most a transaction's dirtied pages.
 *
 * cache_size / mmap_size: a decision reads a handful of B-tree pages (the ledger's indexes, the
 * person's usage rows); 8 MiB of cached pages (2,048) held those of the bench's 500 active people
 * (4 and 16 MiB measured the same), and pages outside it are read through a memory map, so a
 * million-entry ledger costs no read() calls on the hot path. A larger cache is slower, not faster:
 * when an insert splits a B-tree page, SQLite renumbers the new pages through a temporary page
 * number far past the end of the file, and the commit that follows then walks the page cache's whole
 * hash table to drop pages past the end. With 64 MiB that walk was 7% of a decision's CPU and grew
 * as the cache filled (bench/governance.bench.ts: about 14% more decisions/s at a million entries
 * with 8 MiB).
 */
export function openSqlite(path: string): DatabaseHandle {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    ownerOnly(path);
  }
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  if (path !== ':memory:') ownerOnly(path);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('wal_autocheckpoint = 100000');
  sqlite.pragma('journal_size_limit = 67108864');
  sqlite.pragma('cache_size = -8192');
  sqlite.pragma('mmap_size = 268435456');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: sqliteMigrationsFolder });
  return { db, sqlite, close: () => sqlite.close() };
}

/**
 * The database holds sessions, audit trails and sealed wallet secrets: readable by its owner only.
 * The file is created 0600 before SQLite opens it, because SQLite gives the -wal and -shm files the
 * mode of the database file; files from an older install, or copied with a looser mode, are tightened.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
