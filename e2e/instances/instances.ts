// The two Steward instances of the multi-instance journeys (playwright.instances.config.ts): their ports,
// data directories and the environment both share (one PostgreSQL database, one secrets key, one
// catalog), so the config, the launcher of instance A and the spec that starts instance B agree.
import { randomBytes } from 'node:crypto';

const base = Number(process.env.E2E_INSTANCES_PORT ?? 5520);

export const INSTANCE_A = { port: base, dataDir: 'data/e2e-instance-a', url: `http://127.0.0.1:${base}` };
export const INSTANCE_B = { port: base + 1, dataDir: 'data/e2e-instance-b', url: `http://127.0.0.1:${base + 1}` };
/** A's sandbox on fixed ports, so B can name A's market as its catalog before A has started. */
const A_SANDBOX = { relay: base + 2, market: base + 3, stripe: base + 4 };
const A_MARKET_URL = `http://127.0.0.1:${A_SANDBOX.market}`;

/**
 * The run's database and secrets key. The config is loaded first in the runner and then again in each
 * worker; the workers inherit the runner's environment, so the first load picks both and the rest reuse them.
 */
export function runSettings(): { databaseName: string; secretsKey: string } {
  process.env.E2E_INSTANCES_DATABASE ??= `e2e_instances_${process.pid}_${randomBytes(4).toString('hex')}`;
  process.env.E2E_INSTANCES_SECRETS_KEY ??= randomBytes(32).toString('base64');
  return { databaseName: process.env.E2E_INSTANCES_DATABASE, secretsKey: process.env.E2E_INSTANCES_SECRETS_KEY };
}

/** The run's database on the TEST_DATABASE_URL server. */
export function runDatabaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${runSettings().databaseName}`;
  return url.toString();
}

/**
 * What both instances run with: playwright.config.ts's e2e settings (pinned BTC price, raised sign-up
 * and sign-in limits) on one database and secrets key, quoting from A's sandbox market.
 */
function sharedEnv(databaseUrl: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    SIGN_UP_RATE_LIMIT: '200',
    SIGN_IN_RATE_LIMIT: '200',
    BTC_USD_RATE: '100000',
    DATABASE_URL: databaseUrl,
    SECRETS_KEY: runSettings().secretsKey,
    CATALOG_URLS: A_MARKET_URL,
  };
}

export function instanceAEnv(databaseUrl: string): Record<string, string> {
  return {
    ...sharedEnv(databaseUrl),
    PORT: String(INSTANCE_A.port),
    DATA_DIR: INSTANCE_A.dataDir,
    PUBLIC_URL: INSTANCE_A.url,
    SANDBOX_RELAY_PORT: String(A_SANDBOX.relay),
    SANDBOX_MARKET_PORT: String(A_SANDBOX.market),
    SANDBOX_STRIPE_PORT: String(A_SANDBOX.stripe),
  };
}

export function instanceBEnv(databaseUrl: string): Record<string, string> {
  return { ...sharedEnv(databaseUrl), PORT: String(INSTANCE_B.port), DATA_DIR: INSTANCE_B.dataDir, PUBLIC_URL: INSTANCE_B.url };
}
