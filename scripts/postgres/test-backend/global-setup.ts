// `npm run test:postgres`: the whole vitest suite with every app database on PostgreSQL. One fresh
// database per run on TEST_DATABASE_URL's server, dropped at the end; each handle a test opens
// gets its own schema in it (setup.ts).
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresTestUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('npm run test:postgres needs TEST_DATABASE_URL (scripts/postgres/test-server.sh start prints one)');
  const name = `steward_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  project.provide('postgresTestUrl', url.toString());
  return async () => {
    const cleaner = new pg.Client({ connectionString: serverUrl });
    await cleaner.connect();
    await cleaner.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleaner.end();
  };
}
