import { MIGRATIONS_TABLE, type PostgresQueryable } from './postgres-migrations';
import { postgresDefaultOf, postgresTypeOf, type SqliteSchema } from './sqlite-schema';

/**
 * A schema reduced to what both dialects must agree on, read from SQLite (sqlite-schema.ts) or from
 * PostgreSQL's catalog. Two shapes are equal when the same repository SQL finds the same tables,
 * columns, keys, uniqueness and references on both. Names PostgreSQL makes up (a primary key's
 * index, a foreign key's constraint) are left out, since SQLite has none to compare with.
 */
export interface TableShape {
  /** `default` is the DEFAULT's text without PostgreSQL's casts ('[]'::text reads '[]'), or null. */
  columns: { name: string; type: string; notNull: boolean; default: string | null; identity: boolean }[];
  primaryKey: string[];
  uniqueConstraints: string[][];
  indexes: { name: string; unique: boolean; columns: string[]; partial: boolean }[];
  foreignKeys: { columns: string[]; table: string; references: string[]; onUpdate: string; onDelete: string }[];
  checks: string[];
}

export interface SchemaShape {
  tables: Record<string, TableShape>;
  triggers: string[];
}

export function sqliteShape(schema: SqliteSchema): SchemaShape {
  const tables: Record<string, TableShape> = {};
  for (const table of schema.tables) {
    tables[table.name] = {
      columns: table.columns.map((c) => ({
        name: c.name,
        type: postgresTypeOf(c),
        notNull: c.notNull,
        default: postgresDefaultOf(table.name, c),
        identity: table.rowidKey && c.name === table.primaryKey[0],
      })),
      primaryKey: table.primaryKey,
      uniqueConstraints: sortLists(table.uniqueConstraints),
      indexes: table.indexes.map((i) => ({ name: i.name, unique: i.unique, columns: i.columns, partial: i.where !== null })),
      foreignKeys: sortForeignKeys(table.foreignKeys),
      checks: table.checks.map((c) => c.name).sort(),
    };
  }
  return { tables, triggers: schema.triggers.map((t) => t.name).sort() };
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** The current schema of the connection (its search_path's first schema), without the migrations table. */
export async function postgresShape(client: PostgresQueryable): Promise<SchemaShape> {
  const tables: Record<string, TableShape> = {};
  const table = (name: string): TableShape =>
    (tables[name] ??= { columns: [], primaryKey: [], uniqueConstraints: [], indexes: [], foreignKeys: [], checks: [] });
  for (const row of await rows(client, COLUMNS_SQL)) {
    table(row.table).columns.push({
      name: row.name,
      type: row.type,
      notNull: row.not_null,
      default: row.default_sql === null ? null : String(row.default_sql).replace(/::[a-z ]+$/, ''),
      identity: row.identity,
    });
  }
  for (const row of await rows(client, CONSTRAINTS_SQL)) {
    const shape = table(row.table);
    if (row.kind === 'p') shape.primaryKey = row.columns;
    if (row.kind === 'u') shape.uniqueConstraints.push(row.columns);
    if (row.kind === 'c') shape.checks.push(row.name);
    if (row.kind === 'f') {
      shape.foreignKeys.push({
        columns: row.columns,
        table: row.ref_table,
        references: row.ref_columns,
        onUpdate: FK_ACTIONS[row.on_update] ?? row.on_update,
        onDelete: FK_ACTIONS[row.on_delete] ?? row.on_delete,
      });
    }
  }
  for (const row of await rows(client, INDEXES_SQL)) {
    table(row.table).indexes.push({ name: row.name, unique: row.unique, columns: row.columns, partial: row.partial });
  }
  for (const shape of Object.values(tables)) {
    shape.uniqueConstraints = sortLists(shape.uniqueConstraints);
    shape.foreignKeys = sortForeignKeys(shape.foreignKeys);
    shape.indexes.sort((a, b) => a.name.localeCompare(b.name));
    shape.checks.sort();
  }
  const triggers = (await rows(client, TRIGGERS_SQL)).map((row) => row.name as string).sort();
  return { tables, triggers };
}

// The catalog rows are typed by the queries below; `any` stays inside this one reader.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function rows(client: PostgresQueryable, sql: string): Promise<any[]> {
  return (await client.query(sql, [MIGRATIONS_TABLE])).rows;
}

/** `alias` is a table of the connection's current schema, other than the migrations table ($1). */
const inSchema = (alias: string) =>
  `${alias}.relnamespace = current_schema()::regnamespace AND ${alias}.relkind = 'r' AND ${alias}.relname <> $1`;
const NAMES = (array: string, table: string) =>
  `ARRAY(SELECT a.attname::text FROM unnest(${array}) WITH ORDINALITY k(n, o)
    JOIN pg_attribute a ON a.attrelid = ${table} AND a.attnum = k.n ORDER BY k.o)`;

const COLUMNS_SQL = `
  SELECT t.relname AS table, a.attname AS name, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_sql, a.attidentity <> '' AS identity,
    format_type(a.atttypid, NULL) || coalesce(' COLLATE ' || quote_ident(nullif(co.collname, 'default')), '') AS type
  FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE ${inSchema('t')} AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY t.relname, a.attnum`;

const CONSTRAINTS_SQL = `
  SELECT t.relname AS table, c.conname AS name, c.contype AS kind, ${NAMES('c.conkey', 'c.conrelid')} AS columns,
    r.relname AS ref_table, ${NAMES('c.confkey', 'c.confrelid')} AS ref_columns,
    c.confupdtype AS on_update, c.confdeltype AS on_delete
  FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
  WHERE ${inSchema('t')}`;

const INDEXES_SQL = `
  SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indpred IS NOT NULL AS partial,
    ${NAMES('x.indkey::int2[]', 'x.indrelid')} AS columns
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  WHERE ${inSchema('t')}
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u'))`;

const TRIGGERS_SQL = `
  SELECT g.tgname AS name FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
  WHERE NOT g.tgisinternal AND ${inSchema('t')}`;

function sortLists(lists: string[][]): string[][] {
  return [...lists].sort((a, b) => a.join().localeCompare(b.join()));
}

function sortForeignKeys<T extends { columns: string[] }>(keys: readonly T[]): T[] {
  return [...keys].sort((a, b) => a.columns.join().localeCompare(b.columns.join()));
}
