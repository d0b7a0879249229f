import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { applyPostgresMigrations, sqliteMigrationJournal, type PostgresQueryable } from '../server/db/postgres-migrations';
import { hasUnfoldedTransfers } from '../server/db/repositories/ledger-folds';
import { postgresShape, sqliteShape, type SchemaShape } from '../server/db/schema-shape';
import { foreignKeyOrder, quoteIdentifier as q, readSqliteSchema, type SqliteTable } from '../server/db/sqlite-schema';

/**
 * Copies a Steward SQLite database into PostgreSQL, for an operator moving to several instances:
 *
 *   npm run db:copy-to-postgres -- data/steward.db [postgres://user@host/db]   (default: DATABASE_URL)
 *
 * Stop Steward first. The source is opened read-only and must be at the latest migration (start
 * Steward once on it if not). The target's PostgreSQL migrations are applied if missing, and it must
 * hold no rows. Every table is copied in foreign-key order in one transaction; the ledger's triggers
 * are disabled inside it (ALTER TABLE ... DISABLE TRIGGER USER, which the schema's owner may run,
 * unlike session_replication_role, and which keeps foreign keys checked) and enabled again before
 * commit, so balances are copied as they are rather than recomputed. Identity sequences continue
 * past the copied ids (and past ids SQLite's AUTOINCREMENT already handed out). Before committing,
 * row counts per table, every ledger balance and every user's pending holds are compared with the
 * source, and each balance with the sum of its entries; any difference rolls the copy back.
 */

export type CopyOutcome =
  | { ok: true; tables: { name: string; rows: number }[]; accounts: number }
  | { ok: false; reason: 'source_not_migrated' | 'schema_differs' | 'target_not_empty' | 'counts_differ' | 'balances_differ'; detail: string };

type Refusal = Extract<CopyOutcome, { ok: false }>;

/**
 * Each backend's own, not copied: PostgreSQL's fold mark stays the largest id, since it writes what
 * SQLite folds with each transfer (server/db/repositories/ledger-folds.ts).
 */
const NOT_COPIED = new Set(['ledger_fold_mark']);

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const BATCH_PARAMETERS = 30_000;

export async function copySqliteToPostgres(sqlite: Database.Database, client: PostgresQueryable): Promise<CopyOutcome> {
  const notReady = sourceNotReady(sqlite);
  if (notReady) return { ok: false, reason: 'source_not_migrated', detail: notReady };
  await applyPostgresMigrations(client);
  const schema = readSqliteSchema(sqlite);
  const differs = shapeDifference(sqliteShape(schema), await postgresShape(client));
  if (differs) return { ok: false, reason: 'schema_differs', detail: differs };
  const tables = foreignKeyOrder(schema.tables).filter((table) => !NOT_COPIED.has(table.name));
  const occupied = await occupiedTables(client, tables);
  if (occupied.length > 0) return { ok: false, reason: 'target_not_empty', detail: `the target already has rows in ${occupied.join(', ')}` };

  sqlite.exec('BEGIN'); // one read snapshot of the source for the copy and the checks
  await client.query('BEGIN');
  try {
    for (const table of tables) await client.query(`ALTER TABLE ${q(table.name)} DISABLE TRIGGER USER`);
    for (const table of tables) await copyTable(sqlite, client, table);
    await continueIdentities(sqlite, client, tables);
    for (const table of tables) await client.query(`ALTER TABLE ${q(table.name)} ENABLE TRIGGER USER`);
    const verified = await verifyCopy(sqlite, client, tables);
    await client.query(verified.ok ? 'COMMIT' : 'ROLLBACK');
    return verified;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    sqlite.exec('COMMIT');
  }
}

/** Why the source cannot be copied as it is (not at the latest migration, or its totals not complete), or null. */
function sourceNotReady(sqlite: Database.Database): string | null {
  const latest = sqliteMigrationJournal().at(-1);
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  const applied = hasTable ? (sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | null }).at : null;
  const again = 'start this Steward version on it once, stop it, and copy again';
  if (!latest || Number(applied) !== latest.when) return `the SQLite file is not at the latest migration (${latest?.tag}); ${again}`;
  // Stopping folds both (server/db/repositories/usage-changes.ts, ledger-folds.ts); PostgreSQL reads
  // its totals alone, and indexes each reservation and adds each hold at once.
  const unfolded = sqlite.prepare('SELECT 1 FROM governance_usage_changes LIMIT 1').get();
  if (unfolded !== undefined) return `the SQLite file holds usage changes not yet added to its totals (it was not stopped cleanly); ${again}`;
  if (hasUnfoldedTransfers(sqlite)) return `the SQLite file holds transfers after its fold mark, not yet in ledger_reservations_by_user and ledger_pending_holds (it was not stopped cleanly); ${again}`;
  return null;
}

function shapeDifference(sqlite: SchemaShape, postgres: SchemaShape): string | null {
  const names = new Set([...Object.keys(sqlite.tables), ...Object.keys(postgres.tables)]);
  const differing = [...names].filter((name) => !isDeepStrictEqual(sqlite.tables[name], postgres.tables[name])).sort();
  if (differing.length === 0) return null;
  return `the PostgreSQL schema differs from the SQLite file's in ${differing.join(', ')} (is the target another Steward version's?)`;
}

async function occupiedTables(client: PostgresQueryable, tables: readonly SqliteTable[]): Promise<string[]> {
  const occupied: string[] = [];
  for (const table of tables) {
    const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${q(table.name)}) AS occupied`);
    if (rows[0]?.occupied === true) occupied.push(table.name);
  }
  return occupied;
}

/** Rows in key order, so a transfer that resolves a reservation follows it, as in the source. */
async function copyTable(sqlite: Database.Database, client: PostgresQueryable, table: SqliteTable): Promise<void> {
  const columns = table.columns.map((c) => c.name);
  const order = table.primaryKey.length > 0 ? table.primaryKey.map(q).join(', ') : 'rowid';
  const read = sqlite.prepare(`SELECT ${columns.map(q).join(', ')} FROM ${q(table.name)} ORDER BY ${order}`).raw(true).safeIntegers(true);
  const perBatch = Math.max(1, Math.floor(BATCH_PARAMETERS / columns.length));
  let batch: unknown[][] = [];
  for (const row of read.iterate() as Iterable<unknown[]>) {
    batch.push(row.map(toPostgresValue));
    if (batch.length === perBatch) {
      await insertRows(client, table.name, columns, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await insertRows(client, table.name, columns, batch);
}

/** Integers are read as BigInt (msat amounts may pass 2^53) and sent as decimal text. */
function toPostgresValue(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

async function insertRows(client: PostgresQueryable, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const values = rows.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
  await client.query(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${values.join(', ')}`, rows.flat());
}

/** Each identity continues after the largest id SQLite used, deleted rows' ids included. */
async function continueIdentities(sqlite: Database.Database, client: PostgresQueryable, tables: readonly SqliteTable[]): Promise<void> {
  const handedOut = new Map<string, bigint>();
  if (sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get()) {
    for (const row of sqlite.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as { name: string; seq: bigint }[]) {
      handedOut.set(row.name, row.seq);
    }
  }
  for (const table of tables.filter((t) => t.rowidKey)) {
    const key = table.primaryKey[0]!;
    const max = (sqlite.prepare(`SELECT max(${q(key)}) AS id FROM ${q(table.name)}`).safeIntegers(true).get() as { id: bigint | null }).id ?? 0n;
    const sequence = handedOut.get(table.name) ?? 0n;
    const last = max > sequence ? max : sequence;
    await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)', [q(table.name), key, last > 0n ? last.toString() : '1', last > 0n]);
  }
}

async function verifyCopy(sqlite: Database.Database, client: PostgresQueryable, tables: readonly SqliteTable[]): Promise<CopyOutcome> {
  const counted: { name: string; rows: number }[] = [];
  const differing: string[] = [];
  for (const table of tables) {
    const source = Number((sqlite.prepare(`SELECT count(*) AS n FROM ${q(table.name)}`).get() as { n: number }).n);
    const target = Number((await client.query(`SELECT count(*) AS n FROM ${q(table.name)}`)).rows[0]?.n);
    if (source !== target) differing.push(`${table.name}: ${source} in SQLite, ${target} in PostgreSQL`);
    counted.push({ name: table.name, rows: target });
  }
  if (differing.length > 0) return { ok: false, reason: 'counts_differ', detail: differing.join('; ') };
  const balances = await balanceDifference(sqlite, client);
  if (balances) return balances;
  const accounts = counted.find((t) => t.name === 'ledger_balances')?.rows ?? 0;
  return { ok: true, tables: counted, accounts };
}

const BALANCES_SQL = 'SELECT account_id, balance_msat FROM ledger_balances ORDER BY account_id';
// Each user's pending holds: spendable funds are the available balance less these.
const HOLDS_SQL = 'SELECT user_id, pending_msat FROM ledger_pending_holds ORDER BY user_id';
const BALANCES_OFF_ENTRIES_SQL = `
  SELECT count(*) AS n FROM ledger_balances b
  FULL JOIN (SELECT account_id, sum(amount_msat) AS total FROM ledger_entries GROUP BY account_id) e USING (account_id)
  WHERE b.balance_msat IS DISTINCT FROM e.total`;

async function balanceDifference(sqlite: Database.Database, client: PostgresQueryable): Promise<Refusal | null> {
  const source = (sqlite.prepare(BALANCES_SQL).raw(true).safeIntegers(true).all() as unknown[][]).map((row) => row.map(String));
  const target = (await client.query(BALANCES_SQL)).rows.map((row) => [String(row.account_id), String(row.balance_msat)]);
  if (!isDeepStrictEqual(source, target)) return { ok: false, reason: 'balances_differ', detail: 'ledger balances differ between SQLite and PostgreSQL' };
  const sourceHolds = (sqlite.prepare(HOLDS_SQL).raw(true).safeIntegers(true).all() as unknown[][]).map((row) => row.map(String));
  const targetHolds = (await client.query(HOLDS_SQL)).rows.map((row) => [String(row.user_id), String(row.pending_msat)]);
  if (!isDeepStrictEqual(sourceHolds, targetHolds)) return { ok: false, reason: 'balances_differ', detail: 'pending holds differ between SQLite and PostgreSQL' };
  const off = Number((await client.query(BALANCES_OFF_ENTRIES_SQL)).rows[0]?.n);
  if (off > 0) return { ok: false, reason: 'balances_differ', detail: `${off} ledger balances are not the sum of their entries` };
  return null;
}

export function describeCopy(outcome: CopyOutcome): string {
  if (!outcome.ok) return `Nothing copied (${outcome.reason}): ${outcome.detail}.`;
  const width = Math.max(...outcome.tables.map((t) => t.name.length));
  const lines = outcome.tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows} rows`);
  const total = outcome.tables.reduce((sum, t) => sum + t.rows, 0);
  return [
    `Copied ${total} rows in ${outcome.tables.length} tables, counts equal in both:`,
    ...lines,
    `Ledger balances equal for ${outcome.accounts} accounts, each the sum of its entries.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const [sqlitePath, target = process.env.DATABASE_URL] = process.argv.slice(2);
  if (!sqlitePath || !target?.startsWith('postgres')) {
    console.error('usage: npm run db:copy-to-postgres -- <steward.db> [postgres://...]   (default target: DATABASE_URL)');
    process.exit(2);
  }
  const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    const outcome = await copySqliteToPostgres(sqlite, client);
    console.log(describeCopy(outcome));
    process.exitCode = outcome.ok ? 0 : 1;
  } finally {
    await client.end();
    sqlite.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
