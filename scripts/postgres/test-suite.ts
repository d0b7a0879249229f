// `npm run test:postgres`: the whole vitest suite again with every app database on PostgreSQL
// (vite.config.ts, scripts/postgres/test-backend). Needs TEST_DATABASE_URL (scripts/postgres/test-server.sh
// start prints one); without it, says so and passes, so `npm test` still runs on SQLite alone.
import { spawnSync } from 'node:child_process';
import { SKIPPED_WITHOUT_POSTGRES, testDatabaseUrl } from './test-database';

if (!testDatabaseUrl) {
  console.log(`npm run test:postgres ${SKIPPED_WITHOUT_POSTGRES}`);
  process.exit(0);
}
const run = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TEST_BACKEND: 'postgres' } });
process.exit(run.status ?? 1);
