import { defineConfig } from '@playwright/test';
import baseConfig from './playwright.config';
import { INSTANCE_A, runSettings } from './e2e/instances/instances';

// Journeys across several Steward instances on one PostgreSQL database (e2e/instances), run by
// `npm run test:e2e` after the single-server suite when TEST_DATABASE_URL names a server. Instance A is
// the web server (e2e/instances/serve-instance-a.ts makes and drops the run's database); a spec starts
// the others itself. Browser and launch settings are playwright.config.ts's.
const databaseConfigured = Boolean(process.env.TEST_DATABASE_URL);
if (databaseConfigured) runSettings();

export default defineConfig({
  ...baseConfig,
  testDir: 'e2e/instances',
  testIgnore: [],
  outputDir: 'test-results/e2e-instances',
  timeout: 90_000,
  use: { ...baseConfig.use, baseURL: INSTANCE_A.url },
  webServer: databaseConfigured
    ? {
        command: 'node_modules/.bin/tsx e2e/instances/serve-instance-a.ts',
        url: `${INSTANCE_A.url}/api/health`,
        timeout: 60_000,
        reuseExistingServer: false,
        // Its log lines (warnings and errors) go into the run's output.
        stdout: 'pipe',
        // SIGTERM lets the launcher stop the app and drop the run's database.
        gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      }
    : undefined,
});
