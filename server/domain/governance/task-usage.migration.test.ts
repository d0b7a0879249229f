// Migration 0028 re-keys governance_task_usage by task first: every row comes through unchanged, and
// the table stays WITHOUT ROWID with (task_id, user_id) as its key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { sqliteMigrationsBefore } from '../../db/migrations-before';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';

const ROWS = 'SELECT * FROM governance_task_usage ORDER BY user_id, task_id';

// PostgreSQL's counterpart only swaps the key's columns; the schema parity test holds its key order.
describe.skipIf(onPostgres)('migration 0028: task usage keyed by task first', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-task-usage-migration-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every row, and keys the table by (task_id, user_id) without a rowid', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    migrate(drizzle(old), { migrationsFolder: sqliteMigrationsBefore(dir, '0028') });
    const insert = old.prepare('INSERT INTO governance_task_usage VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('alice', 'task-1', 1_000, 2_000, 45_000, 20_000, 1_500, 0);
    insert.run('bob', 'task-1', 1_500, 1_500, 0, 7_000, 70, 0); // the same task id under another person
    insert.run('alice', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 3_000, 4_000, 1, 2, 3, 4);
    const before = old.prepare(ROWS).all();
    old.close();

    const migrated = openDatabase(path);
    try {
      expect(migrated.sqlite.prepare(ROWS).all()).toEqual(before);
      const key = migrated.sqlite.prepare("SELECT name FROM pragma_table_info('governance_task_usage') WHERE pk > 0 ORDER BY pk").all();
      expect(key).toEqual([{ name: 'task_id' }, { name: 'user_id' }]);
      const { sql } = migrated.sqlite.prepare("SELECT sql FROM sqlite_schema WHERE name = 'governance_task_usage'").get() as { sql: string };
      expect(sql).toMatch(/WITHOUT ROWID\s*$/);
    } finally {
      migrated.close();
    }
  });
});
