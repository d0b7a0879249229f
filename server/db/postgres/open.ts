// Opens Steward's database on PostgreSQL: the synchronous connection (connection.ts), the schema
// brought up to date (server/db/migrations-pg, applied once however many instances start together),
// and drizzle's better-sqlite3 driver over it, so every repository runs unchanged.
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type Database from 'better-sqlite3';
import { MIGRATIONS_LOCK_KEY, MIGRATIONS_TABLE, migrationPairingProblems, postgresMigrations, sqliteMigrationTags } from '../postgres-migrations';
import * as schema from '../schema/index';
import type { DatabaseHandle, Db } from '../client';
import { PostgresDatabase } from './connection';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Applies the migrations not yet recorded, in one transaction under the migrations' lock. */
function migrate(connection: PostgresDatabase, now: () => number): void {
  const problems = migrationPairingProblems(sqliteMigrationTags(), postgresMigrations().map((migration) => migration.tag));
  if (problems.length > 0) throw new Error(`PostgreSQL migrations are out of step with SQLite's: ${problems.join('; ')}`);
  connection.transaction(() => {
    connection.prepare('SELECT pg_advisory_xact_lock(?)').get(MIGRATIONS_LOCK_KEY);
    connection.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("tag" text PRIMARY KEY, "applied_at_ms" bigint NOT NULL)`);
    const done = new Set((connection.prepare(`SELECT "tag" FROM "${MIGRATIONS_TABLE}"`).all() as { tag: string }[]).map((row) => row.tag));
    const record = connection.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("tag", "applied_at_ms") VALUES (?, ?)`);
    for (const migration of postgresMigrations().filter((candidate) => !done.has(candidate.tag))) {
      connection.execUntranslated(migration.sql);
      record.run(migration.tag, now());
    }
  })();
}

export function openPostgres(url: string): DatabaseHandle {
  const connection = new PostgresDatabase(url);
  try {
    migrate(connection, Date.now);
  } catch (error) {
    connection.close();
    throw error;
  }
  // The connection answers the part of better-sqlite3's interface drizzle and the repositories use
  // (connection.ts); typed as one so that they need no second set of types.
  const sqlite = connection as unknown as Database.Database;
  const db = drizzle(sqlite, { schema }) as Db;
  return { db, sqlite, close: () => connection.close() };
}
