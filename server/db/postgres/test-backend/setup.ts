// Runs in every test file under `npm run test:postgres`: every database a test opens is on
// PostgreSQL (locations.ts says where).
import { inject, vi } from 'vitest';

process.env.STEWARD_TEST_POSTGRES_URL = inject('postgresTestUrl');

vi.mock('../../client', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../client')>();
  const { testDatabaseLocation } = await import('./locations');
  return { ...actual, openDatabase: (location: string) => actual.openDatabase(testDatabaseLocation(location)) };
});
