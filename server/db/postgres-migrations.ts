import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * PostgreSQL's migrations, kept beside SQLite's. The convention (server/db/migrations-pg/README.md):
 * `0000_baseline.sql` creates the schema SQLite has after its migrations 0000 to
 * BASELINE_COVERS_THROUGH; every later SQLite migration `NNNN_name.sql` has a PostgreSQL counterpart
 * with the same file name in migrations-pg. They are applied in file-name order, each once, recorded
 * by tag in MIGRATIONS_TABLE. migrationPairingProblems() names any SQLite migration left without its
 * counterpart, and the parity test (postgres-schema.test.ts) fails on it.
 */

export interface PostgresMigration {
  /** The file name without `.sql`, e.g. `0000_baseline`, `0023_some_change`. */
  tag: string;
  /** The whole file; statements are separated by `--> statement-breakpoint` lines, as in SQLite's. */
  sql: string;
}

/** The last SQLite migration the baseline includes. */
export const BASELINE_COVERS_THROUGH = '0022_activity_payment_steps';
export const BASELINE_TAG = '0000_baseline';
/** Where applied tags are recorded (drizzle keeps SQLite's in __drizzle_migrations). */
export const MIGRATIONS_TABLE = '__steward_migrations';
/** Any fixed number works: instances starting together serialise on it and apply each file once. */
export const MIGRATIONS_LOCK_KEY = 1_600_160_016;

const here = dirname(fileURLToPath(import.meta.url));
export const postgresMigrationsFolder = join(here, 'migrations-pg');
const sqliteJournalPath = join(here, 'migrations', 'meta', '_journal.json');
const journalSchema = z.object({ entries: z.array(z.object({ idx: z.number().int(), tag: z.string(), when: z.number().int() })) });
const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.sql$/;

export function postgresMigrations(): PostgresMigration[] {
  return readdirSync(postgresMigrationsFolder)
    .map((file) => MIGRATION_FILE.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => match[1]!)
    .sort()
    .map((tag) => ({ tag, sql: readFileSync(join(postgresMigrationsFolder, `${tag}.sql`), 'utf8') }));
}

/** SQLite's migrations in the order drizzle applies them; `when` is what drizzle records as created_at. */
export function sqliteMigrationJournal(): { tag: string; when: number }[] {
  const journal = journalSchema.parse(JSON.parse(readFileSync(sqliteJournalPath, 'utf8')));
  return [...journal.entries].sort((a, b) => a.idx - b.idx).map(({ tag, when }) => ({ tag, when }));
}

export function sqliteMigrationTags(): string[] {
  return sqliteMigrationJournal().map((entry) => entry.tag);
}

/**
 * What breaks the convention, one sentence each: a SQLite migration after the baseline without a
 * PostgreSQL file of the same name, or a PostgreSQL file that pairs with no SQLite migration.
 */
export function migrationPairingProblems(sqliteTags: readonly string[], postgresTags: readonly string[]): string[] {
  const covered = sqliteTags.indexOf(BASELINE_COVERS_THROUGH);
  if (covered < 0) return [`the SQLite journal has no ${BASELINE_COVERS_THROUGH}, which the PostgreSQL baseline covers through`];
  const problems: string[] = [];
  if (!postgresTags.includes(BASELINE_TAG)) problems.push(`server/db/migrations-pg/${BASELINE_TAG}.sql is missing`);
  const later = sqliteTags.slice(covered + 1);
  for (const tag of later) {
    if (!postgresTags.includes(tag)) problems.push(`SQLite migration ${tag} has no PostgreSQL counterpart server/db/migrations-pg/${tag}.sql`);
  }
  for (const tag of postgresTags) {
    if (tag !== BASELINE_TAG && !later.includes(tag)) problems.push(`server/db/migrations-pg/${tag}.sql pairs with no SQLite migration after ${BASELINE_COVERS_THROUGH}`);
  }
  return problems;
}

/** The smallest client shape applying needs; a pg Client or PoolClient fits. */
export interface PostgresQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Applies every migration not yet recorded, in one transaction under an advisory lock, so several
 * instances starting at once apply each file exactly once and a failed file leaves nothing behind.
 * Each file is sent as one simple-protocol query (several statements, plpgsql bodies included).
 * Returns the tags it applied. Synchronous drivers follow the same steps.
 */
export async function applyPostgresMigrations(client: PostgresQueryable, now: () => number = Date.now): Promise<string[]> {
  const problems = migrationPairingProblems(sqliteMigrationTags(), postgresMigrations().map((m) => m.tag));
  if (problems.length > 0) throw new Error(`PostgreSQL migrations are out of step with SQLite's: ${problems.join('; ')}`);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATIONS_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("tag" text PRIMARY KEY, "applied_at_ms" bigint NOT NULL)`);
    const done = new Set((await client.query(`SELECT "tag" FROM "${MIGRATIONS_TABLE}"`)).rows.map((row) => String(row.tag)));
    const applied: string[] = [];
    for (const migration of postgresMigrations().filter((m) => !done.has(m.tag))) {
      await client.query(migration.sql);
      await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("tag", "applied_at_ms") VALUES ($1, $2)`, [migration.tag, now()]);
      applied.push(migration.tag);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
