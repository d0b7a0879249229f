import { readMigrationFiles } from 'drizzle-orm/migrator';
import { z } from 'zod';
import type { Readiness, ReadinessCheck } from '../domain/ports/readiness';
import { sqliteMigrationsFolder, type DatabaseHandle } from './client';
import { PostgresDatabase } from './postgres/connection';
import { MIGRATIONS_TABLE, postgresMigrations } from './postgres-migrations';

// The newest applied migration: drizzle's folder timestamp (a number) on SQLite, a tag (text) on PostgreSQL.
const newestAppliedRow = z.object({ newest: z.union([z.number(), z.string()]).nullable() });

/**
 * Readiness over the app's own database handle, the one every request uses: a trivial query answers,
 * and the newest applied migration is at least this build's newest. drizzle's migrator applies a
 * migration when its timestamp is newer than the newest recorded one, so that comparison is exactly
 * "nothing left to apply". The committed migrations are read once, at creation.
 */
export function createDatabaseReadiness(database: Pick<DatabaseHandle, 'sqlite'>): ReadinessCheck {
  if ((database.sqlite as unknown) instanceof PostgresDatabase) {
    // PostgreSQL's migrations are recorded by tag (server/db/postgres-migrations.ts); tags sort in order.
    const newestTag = postgresMigrations().at(-1)?.tag ?? '';
    const newestTagSql = `SELECT max(tag) AS newest FROM "${MIGRATIONS_TABLE}"`;
    return () => checkDatabase(database.sqlite, newestTagSql, (newest) => String(newest) >= newestTag, newestTag);
  }
  // drizzle's migrator records SQLite's in its default table.
  const newestCommitted = Math.max(0, ...readMigrationFiles({ migrationsFolder: sqliteMigrationsFolder }).map((m) => m.folderMillis));
  const newestAppliedSql = 'SELECT max(created_at) AS newest FROM "__drizzle_migrations"';
  return () => checkDatabase(database.sqlite, newestAppliedSql, (newest) => Number(newest) >= newestCommitted, String(newestCommitted));
}

function checkDatabase(
  client: DatabaseHandle['sqlite'],
  newestAppliedSql: string,
  upToDate: (newest: number | string) => boolean,
  newestCommitted: string,
): Readiness {
  try {
    client.prepare('SELECT 1').get();
  } catch (error) {
    return { ready: false, reason: 'database_unavailable', detail: messageOf(error) };
  }
  try {
    const { newest } = newestAppliedRow.parse(client.prepare(newestAppliedSql).get());
    if (newest !== null && upToDate(newest)) return { ready: true };
    return { ready: false, reason: 'migrations_pending', detail: `newest applied migration ${newest ?? 'none'}, this build's ${newestCommitted}` };
  } catch (error) {
    // No migrations table yet: nothing has been applied.
    return { ready: false, reason: 'migrations_pending', detail: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
