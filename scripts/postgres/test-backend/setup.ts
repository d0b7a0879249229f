// Runs in every test file under `npm run test:postgres`: every database a test opens is on
// PostgreSQL (locations.ts says where).
import { inject, vi } from 'vitest';
import type * as client from '../../../server/db/client';

process.env.STEWARD_TEST_POSTGRES_URL = inject('postgresTestUrl');

vi.mock('../../../server/db/client', async (importOriginal) => {
  const actual = await importOriginal<typeof client>();
  const { testDatabaseLocation } = await import('./locations');
  return { ...actual, openDatabase: (location: string) => actual.openDatabase(testDatabaseLocation(location)) };
});
