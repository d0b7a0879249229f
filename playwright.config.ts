import { defineConfig, devices } from '@playwright/test';

// e2e drives the built app on the sandbox stack in Debian's Chromium (never a downloaded browser).
const port = Number(process.env.E2E_PORT ?? 5499);
const dataDir = process.env.E2E_DATA_DIR ?? 'data/e2e';

export default defineConfig({
  testDir: 'e2e',
  // Journeys across several instances need PostgreSQL: playwright.instances.config.ts runs them.
  testIgnore: 'instances/**',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    // A fresh data directory per run, so every journey starts from a new sandbox.
    command: `rm -rf ${dataDir} && node_modules/.bin/tsx server/main.ts`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 60_000,
    reuseExistingServer: false,
    // summarise answers 2 s after payment, so a task can be cancelled between its paid steps (e2e/cancel.spec.ts);
    // every journey signs up a fresh person from 127.0.0.1, more than the default 10 per 10 minutes, and
    // journeys sign in and out as a person and an operator, more than the default 20 sign-ins per 5 minutes;
    // the sandbox market's BTC price is pinned at $100,000, so the fiat figures the journeys read never move.
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      SANDBOX_SLOW_SERVICES: 'summarise:2000',
      SIGN_UP_RATE_LIMIT: '200',
      SIGN_IN_RATE_LIMIT: '200',
      BTC_USD_RATE: '100000',
      // e2e/disputes.spec.ts: headlines answers 500 after payment (no other journey buys it); an operator reviews disputes.
      SANDBOX_MISBEHAVING_SERVICES: 'headlines:paid-500',
      OPERATOR_EMAIL: 'operator@steward.test',
      OPERATOR_PASSWORD: 'quiet-harbour-lantern-73',
    },
  },
});
