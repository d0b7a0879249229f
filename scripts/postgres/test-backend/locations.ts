// Where a test's database lives under `npm run test:postgres`: ':memory:' is a new, empty schema (as
// SQLite's :memory: is a new, empty database) and a file path is the schema named after that path, so
// two handles on one "file" share it, as two SQLite connections do. Processes a test starts get the
// same answer through STEWARD_TEST_POSTGRES_URL, which setup.ts sets.
import { createHash, randomUUID } from 'node:crypto';
import { PostgresDatabase } from '../../../server/db/postgres/connection';
import { isPostgresUrl } from '../../../server/db/postgres/open';

/** True while the suite runs on PostgreSQL (`npm run test:postgres`): for the few SQLite-only assertions. */
export const onPostgres = process.env.TEST_BACKEND === 'postgres';

let admin: PostgresDatabase | undefined;

/** The location to open for `location` on the test backend: itself on SQLite, a schema's URL on PostgreSQL. */
export function testDatabaseLocation(location: string): string {
  const databaseUrl = process.env.STEWARD_TEST_POSTGRES_URL;
  if (databaseUrl === undefined || isPostgresUrl(location)) return location;
  const schema = location === ':memory:' ? `mem_${randomUUID().replaceAll('-', '')}` : `file_${createHash('sha256').update(location).digest('hex').slice(0, 24)}`;
  admin ??= new PostgresDatabase(databaseUrl);
  admin.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
