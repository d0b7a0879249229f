// `npm run test:e2e:instances`: the Playwright journeys across several instances on one PostgreSQL
// database (playwright.instances.config.ts). Needs TEST_DATABASE_URL; without it, says so and passes,
// so `npm run test:e2e` still runs on SQLite alone. Expects the client built (`npm run test:e2e` builds it).
import { spawnSync } from 'node:child_process';
import { SKIPPED_WITHOUT_POSTGRES, testDatabaseUrl } from './test-database';

if (!testDatabaseUrl) {
  console.log(`npm run test:e2e:instances ${SKIPPED_WITHOUT_POSTGRES}`);
  process.exit(0);
}
const run = spawnSync('npx', ['playwright', 'test', '-c', 'playwright.instances.config.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
