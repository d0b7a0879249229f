import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { z } from 'zod';
import type { Readiness, ReadinessCheck } from '../domain/ports/readiness';
import type { DatabaseHandle } from './client';

/** Where a backend's committed migrations are and where drizzle's migrator records the applied ones. */
export interface MigrationRecord {
  folder: string;
  /** The migrator's table, quoted (schema-qualified for PostgreSQL: `"drizzle"."__drizzle_migrations"`). */
  table: string;
}

/** SQLite's: the folder openDatabase migrates from (server/db/client.ts), drizzle's default table. */
export const SQLITE_MIGRATIONS: MigrationRecord = {
  folder: join(dirname(fileURLToPath(import.meta.url)), 'migrations'),
  table: '"__drizzle_migrations"',
};

// drizzle stores each migration's folder timestamp: a number in SQLite, a bigint (read as a string) in PostgreSQL.
const newestAppliedRow = z.object({ newest: z.union([z.number(), z.string()]).nullable() });

/**
 * Readiness over the app's own database handle, the one every request uses: a trivial query answers,
 * and the newest applied migration is at least this build's newest. drizzle's migrator applies a
 * migration when its timestamp is newer than the newest recorded one, so that comparison is exactly
 * "nothing left to apply". The committed migrations are read once, at creation.
 */
export function createDatabaseReadiness(database: Pick<DatabaseHandle, 'sqlite'>, migrations: MigrationRecord = SQLITE_MIGRATIONS): ReadinessCheck {
  const newestCommitted = Math.max(0, ...readMigrationFiles({ migrationsFolder: migrations.folder }).map((m) => m.folderMillis));
  const newestAppliedSql = `SELECT max(created_at) AS newest FROM ${migrations.table}`;
  return () => checkDatabase(database.sqlite, newestAppliedSql, newestCommitted);
}

function checkDatabase(client: DatabaseHandle['sqlite'], newestAppliedSql: string, newestCommitted: number): Readiness {
  try {
    client.prepare('SELECT 1').get();
  } catch (error) {
    return { ready: false, reason: 'database_unavailable', detail: messageOf(error) };
  }
  try {
    const { newest } = newestAppliedRow.parse(client.prepare(newestAppliedSql).get());
    if (newest !== null && Number(newest) >= newestCommitted) return { ready: true };
    return { ready: false, reason: 'migrations_pending', detail: `newest applied migration ${newest ?? 'none'}, this build's ${newestCommitted}` };
  } catch (error) {
    // No migrations table yet: nothing has been applied.
    return { ready: false, reason: 'migrations_pending', detail: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
