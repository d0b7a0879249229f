import { getTableColumns } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * `column AS key` for every column of the table, so a plain SELECT on the better-sqlite3 connection
 * returns drizzle's row shape. For hot statements: drizzle's per-call placeholder filling and row
 * mapping cost more than a primary-key lookup. Only for tables whose columns are plain text and
 * integers (no JSON or boolean modes), which drizzle returns as stored.
 */
export function selectList(table: SQLiteTable): string {
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `"${column.name}" AS "${key}"`)
    .join(', ');
}
