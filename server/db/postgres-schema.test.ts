import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createScratchDatabase, postgresSuiteTitle, testDatabaseUrl, type ScratchDatabase } from '../../scripts/postgres/test-database';
import { openSqlite } from './client';
import {
  BASELINE_COVERS_THROUGH,
  applyPostgresMigrations,
  migrationPairingProblems,
  postgresMigrations,
  sqliteMigrationTags,
} from './postgres-migrations';
import { postgresShape, sqliteShape } from './schema-shape';
import { readSqliteSchema } from './sqlite-schema';

describe('PostgreSQL migrations pair with SQLite migrations', () => {
  const sqliteTags = sqliteMigrationTags();
  const postgresTags = postgresMigrations().map((m) => m.tag);

  it('every SQLite migration after the baseline has a PostgreSQL counterpart of the same name', () => {
    expect(migrationPairingProblems(sqliteTags, postgresTags)).toEqual([]);
  });

  it('names a SQLite migration added without its PostgreSQL counterpart', () => {
    expect(migrationPairingProblems([...sqliteTags, '9999_new_column'], postgresTags)).toEqual([
      'SQLite migration 9999_new_column has no PostgreSQL counterpart server/db/migrations-pg/9999_new_column.sql',
    ]);
  });

  it('names a PostgreSQL file that pairs with no SQLite migration, and a missing baseline', () => {
    const throughBaseline = sqliteTags.slice(0, sqliteTags.indexOf(BASELINE_COVERS_THROUGH) + 1);
    expect(migrationPairingProblems(throughBaseline, ['0001_stray'])).toEqual([
      'server/db/migrations-pg/0000_baseline.sql is missing',
      `server/db/migrations-pg/0001_stray.sql pairs with no SQLite migration after ${BASELINE_COVERS_THROUGH}`,
    ]);
  });
});

describe.skipIf(!testDatabaseUrl)(postgresSuiteTitle('PostgreSQL schema parity with SQLite'), () => {
  let scratch: ScratchDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase('h_pg_schema_parity');
    client = await connect(scratch.url);
    await applyPostgresMigrations(client);
  });

  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
  });

  it('has the same tables, columns, keys, indexes, foreign keys, checks and triggers as SQLite after every migration', async () => {
    const handle = openSqlite(':memory:');
    const expected = sqliteShape(readSqliteSchema(handle.sqlite));
    handle.close();
    const actual = await postgresShape(client);
    expect(Object.keys(actual.tables).sort()).toEqual(Object.keys(expected.tables).sort());
    for (const [name, table] of Object.entries(expected.tables)) expect({ name, ...actual.tables[name] }).toEqual({ name, ...table });
    // TRUNCATE exists only in PostgreSQL: every table refusing DELETE refuses it too.
    const truncates = expected.triggers.filter((t) => t.endsWith('_no_delete')).map((t) => t.replace(/_no_delete$/, '_no_truncate'));
    expect(actual.triggers).toEqual([...expected.triggers, ...truncates].sort());
  });

  it('records what it applied, so applying again applies nothing', async () => {
    expect(await applyPostgresMigrations(client)).toEqual([]);
  });
});

describe.skipIf(!testDatabaseUrl)(postgresSuiteTitle('PostgreSQL ledger is append-only'), () => {
  let scratch: ScratchDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase('h_pg_schema_ledger');
    client = await connect(scratch.url);
    await applyPostgresMigrations(client);
    await client.query(`INSERT INTO ledger_accounts (id, code, kind, floor, created_at_ms) VALUES
      (1, 'stripe', 'external', 'unbounded', 1), (2, 'user:a:available', 'user_available', 'non_negative', 1)`);
    await client.query(`INSERT INTO ledger_transfers (id, idempotency_key, request_json, kind, debit_account_id, credit_account_id, amount_msat, created_at_ms)
      VALUES (1, 'fund:a', '{}', 'transfer', 1, 2, 5000000000000, 1)`);
    await client.query(`INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms)
      VALUES (1, 1, -5000000000000, 1), (1, 2, 5000000000000, 1)`);
  });

  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
  });

  it('keeps each balance as the sum of its entries, past 2^31 msat', async () => {
    const { rows } = await client.query('SELECT account_id, balance_msat FROM ledger_balances ORDER BY account_id');
    expect(rows).toEqual([{ account_id: '1', balance_msat: '-5000000000000' }, { account_id: '2', balance_msat: '5000000000000' }]);
  });

  for (const table of ['ledger_accounts', 'ledger_transfers', 'ledger_entries']) {
    it(`refuses UPDATE, DELETE and TRUNCATE on ${table}`, async () => {
      const refusal = { message: `${table} is append-only`, code: '23001' };
      await expect(client.query(`UPDATE ${table} SET created_at_ms = 2`)).rejects.toMatchObject(refusal);
      await expect(client.query(`DELETE FROM ${table}`)).rejects.toMatchObject(refusal);
      await expect(client.query(`TRUNCATE ${table} CASCADE`)).rejects.toMatchObject(refusal);
      const { rows } = await client.query(`SELECT count(*)::int AS n, max(created_at_ms) AS at FROM ${table}`);
      expect(rows[0]).toMatchObject({ at: '1' });
      expect(rows[0].n).toBeGreaterThan(0);
    });
  }

  it('refuses DELETE on ledger_balances, which follows the entries', async () => {
    await expect(client.query('DELETE FROM ledger_balances')).rejects.toMatchObject({
      message: 'ledger_balances follows ledger_entries, which are never deleted',
    });
  });
});

describe.skipIf(!testDatabaseUrl)(postgresSuiteTitle('PostgreSQL migrations with several instances'), () => {
  let scratch: ScratchDatabase;
  let clients: pg.Client[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase('h_pg_schema_start');
    clients = await Promise.all([connect(scratch.url), connect(scratch.url), connect(scratch.url)]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await scratch?.drop();
  });

  it('applies each migration exactly once when instances start together', async () => {
    const applied = await Promise.all(clients.map((client) => applyPostgresMigrations(client)));
    expect(applied.flat().sort()).toEqual(postgresMigrations().map((m) => m.tag));
  });
});
