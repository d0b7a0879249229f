import type Database from 'better-sqlite3';

/**
 * SQLite's schema as data, read from sqlite_master and the table pragmas. The PostgreSQL baseline is
 * generated from it (scripts/postgres/generate-baseline.ts), the parity test compares PostgreSQL's
 * catalog with it (postgres-schema.test.ts) and the copy script walks its tables in foreign-key order
 * (scripts/copy-sqlite-to-postgres.ts), so all three agree on what "SQLite's final schema" is.
 */

export interface SqliteColumn {
  name: string;
  /** The declared type, upper case: INTEGER, TEXT, REAL, BLOB, NUMERIC. */
  type: string;
  notNull: boolean;
  /** The DEFAULT clause as SQL text, or null. */
  defaultSql: string | null;
}

export interface SqliteIndex {
  name: string;
  unique: boolean;
  columns: string[];
  /** The partial index's WHERE condition as SQL text, or null. */
  where: string | null;
}

export interface SqliteForeignKey {
  columns: string[];
  table: string;
  references: string[];
  onUpdate: string;
  onDelete: string;
}

export interface SqliteCheck {
  name: string;
  expression: string;
}

export interface SqliteTable {
  name: string;
  columns: SqliteColumn[];
  primaryKey: string[];
  /**
   * The primary key is the rowid (a lone INTEGER PRIMARY KEY, with or without AUTOINCREMENT):
   * SQLite assigns it when an INSERT leaves it out, so PostgreSQL needs an identity column.
   */
  rowidKey: boolean;
  /** Unique constraints declared in the table (origin 'u'), as column lists. */
  uniqueConstraints: string[][];
  indexes: SqliteIndex[];
  foreignKeys: SqliteForeignKey[];
  checks: SqliteCheck[];
}

export interface SqliteTrigger {
  name: string;
  table: string;
  sql: string;
}

export interface SqliteSchema {
  tables: SqliteTable[];
  triggers: SqliteTrigger[];
}

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}

interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string;
  on_update: string;
  on_delete: string;
}

/** Tables that belong to SQLite or to drizzle's migrator, not to Steward. */
const BOOKKEEPING_TABLES = new Set(['sqlite_sequence', '__drizzle_migrations']);

export function readSqliteSchema(sqlite: Database.Database): SqliteSchema {
  const master = sqlite
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') ORDER BY name")
    .all() as MasterRow[];
  const tables = master
    .filter((row) => row.type === 'table' && !BOOKKEEPING_TABLES.has(row.name) && !row.name.startsWith('sqlite_'))
    .map((row) => readTable(sqlite, row.name, row.sql ?? ''));
  const triggers = master
    .filter((row) => row.type === 'trigger')
    .map((row) => ({ name: row.name, table: row.tbl_name, sql: row.sql ?? '' }));
  return { tables, triggers };
}

function readTable(sqlite: Database.Database, name: string, createSql: string): SqliteTable {
  const columnRows = sqlite.pragma(`table_info(${quoteIdentifier(name)})`) as ColumnRow[];
  const primaryKey = columnRows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*$/i.test(createSql);
  const lonePk = primaryKey.length === 1 ? columnRows.find((c) => c.name === primaryKey[0]) : undefined;
  const indexRows = sqlite.pragma(`index_list(${quoteIdentifier(name)})`) as IndexRow[];
  return {
    name,
    columns: columnRows.map((c) => ({
      name: c.name,
      type: c.type.toUpperCase(),
      notNull: c.notnull === 1 || c.pk > 0,
      defaultSql: c.dflt_value,
    })),
    primaryKey,
    rowidKey: !withoutRowid && lonePk?.type.toUpperCase() === 'INTEGER',
    uniqueConstraints: indexRows.filter((i) => i.origin === 'u').map((i) => indexColumns(sqlite, i.name)),
    indexes: indexRows
      .filter((i) => i.origin === 'c')
      .map((i) => readIndex(sqlite, i))
      .sort((a, b) => a.name.localeCompare(b.name)),
    foreignKeys: readForeignKeys(sqlite, name),
    checks: parseChecks(name, createSql),
  };
}

function readIndex(sqlite: Database.Database, row: IndexRow): SqliteIndex {
  let where: string | null = null;
  if (row.partial === 1) {
    const { sql } = sqlite.prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?').get('index', row.name) as { sql: string };
    const at = sql.search(/\sWHERE\s/i);
    if (at < 0) throw new Error(`partial index ${row.name} has no WHERE clause: ${sql}`);
    where = sql.slice(at).replace(/^\s*WHERE\s+/i, '').trim();
  }
  return { name: row.name, unique: row.unique === 1, columns: indexColumns(sqlite, row.name), where };
}

function indexColumns(sqlite: Database.Database, index: string): string[] {
  const rows = sqlite.pragma(`index_info(${quoteIdentifier(index)})`) as { seqno: number; name: string | null }[];
  return rows.sort((a, b) => a.seqno - b.seqno).map((r) => {
    if (r.name === null) throw new Error(`index ${index} has an expression column; translate it by hand`);
    return r.name;
  });
}

function readForeignKeys(sqlite: Database.Database, table: string): SqliteForeignKey[] {
  const rows = sqlite.pragma(`foreign_key_list(${quoteIdentifier(table)})`) as ForeignKeyRow[];
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  return [...byId.values()]
    .map((parts) => parts.sort((a, b) => a.seq - b.seq))
    .map((parts) => ({
      columns: parts.map((p) => p.from),
      table: parts[0]!.table,
      references: parts.map((p) => p.to),
      onUpdate: parts[0]!.on_update.toUpperCase(),
      onDelete: parts[0]!.on_delete.toUpperCase(),
    }))
    .sort((a, b) => a.columns.join().localeCompare(b.columns.join()));
}

/**
 * The named CHECK constraints of a CREATE TABLE statement (no pragma lists them). drizzle names
 * every check; an unnamed one would have no name to keep in PostgreSQL, so it is refused.
 */
export function parseChecks(table: string, createSql: string): SqliteCheck[] {
  const checks: SqliteCheck[] = [];
  const named = /CONSTRAINT\s+["`](\w+)["`]\s+CHECK\s*\(/gi;
  for (let match = named.exec(createSql); match; match = named.exec(createSql)) {
    const open = match.index + match[0].length - 1;
    checks.push({ name: match[1]!, expression: balancedParenthesis(createSql, open) });
  }
  const all = createSql.match(/\bCHECK\s*\(/gi)?.length ?? 0;
  if (all !== checks.length) throw new Error(`table ${table} has an unnamed CHECK constraint; name it`);
  return checks;
}

/** The text between the parenthesis at `open` and its partner, skipping quoted strings and names. */
function balancedParenthesis(sql: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let at = open; at < sql.length; at += 1) {
    const char = sql[at]!;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
      if (depth === 0) return sql.slice(open + 1, at).trim();
    }
  }
  throw new Error(`unbalanced parentheses in: ${sql.slice(open)}`);
}

/**
 * Tables ordered so that every table comes after the tables its foreign keys reference (a table
 * referencing itself is fine: its rows are copied in key order). Ties keep alphabetical order.
 */
export function foreignKeyOrder(tables: readonly SqliteTable[]): SqliteTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: SqliteTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: SqliteTable): void => {
    if (state.get(table.name) === 'done') return;
    if (state.get(table.name) === 'visiting') throw new Error(`foreign keys form a cycle through ${table.name}`);
    state.set(table.name, 'visiting');
    for (const fk of table.foreignKeys) {
      const target = byName.get(fk.table);
      if (!target) throw new Error(`${table.name} references a missing table ${fk.table}`);
      if (target !== table) visit(target);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table);
  return ordered;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The PostgreSQL type of each declared SQLite type. INTEGER is BIGINT because msat amounts and ms
 * timestamps pass 2^31; booleans stay 0/1 integers because drizzle's sqlite boolean mode writes them so.
 * TEXT compares and sorts by code point, as SQLite's BINARY collation does, whatever locale the
 * database was created with: keyset pagination over ids and ORDER BY on text then agree on both.
 */
const POSTGRES_TYPES: Record<string, string> = {
  INTEGER: 'bigint',
  TEXT: 'text COLLATE "C"',
  REAL: 'double precision',
  BLOB: 'bytea',
};

export function postgresTypeOf(column: SqliteColumn): string {
  const type = POSTGRES_TYPES[column.type];
  if (!type) throw new Error(`column ${column.name} has type ${column.type}, which has no PostgreSQL mapping yet`);
  return type;
}

/**
 * A column's DEFAULT as PostgreSQL text, or null. Literals only; drizzle writes boolean defaults as
 * true/false, which SQLite stores as 1/0 in an integer column, so they become 1/0.
 */
export function postgresDefaultOf(table: string, column: SqliteColumn): string | null {
  const value = column.defaultSql;
  if (value === null) return null;
  if (/^-?\d+(\.\d+)?$/.test(value) || /^'(?:[^']|'')*'$/.test(value)) return value;
  if (column.type === 'INTEGER' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true' ? '1' : '0';
  throw new Error(`${table}.${column.name} has the default ${value}; translate it by hand`);
}
