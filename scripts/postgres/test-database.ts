import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseUrl as configuredTestDatabaseUrl } from '../../server/env';

/**
 * PostgreSQL for tests. TEST_DATABASE_URL names a server the tests may create databases on (any
 * database of it as the entry point); without it the PostgreSQL suites are skipped and say why.
 * Scripts may read the environment; server tests import it from here.
 */
export const testDatabaseUrl: string | undefined = configuredTestDatabaseUrl() ?? undefined;
export const SKIPPED_WITHOUT_POSTGRES = 'skipped: set TEST_DATABASE_URL=postgres://... to run it';

/** A PostgreSQL suite's title, saying what it runs on, or why it was skipped. */
export function postgresSuiteTitle(title: string): string {
  return `${title} (${testDatabaseUrl ? 'TEST_DATABASE_URL' : SKIPPED_WITHOUT_POSTGRES})`;
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the test server, named after the suite, dropped by drop(). */
export async function createScratchDatabase(suite: string): Promise<ScratchDatabase> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${suite}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return createDatabaseOn(testDatabaseUrl, name);
}

/**
 * Creates the database `name` on the server `serverUrl` names (any database of it as the entry point):
 * refused when it exists, so drop() only ever drops what this call created.
 */
export async function createDatabaseOn(serverUrl: string, name: string): Promise<ScratchDatabase> {
  await onServer(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** A connected client on `url`, ended by the caller. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
