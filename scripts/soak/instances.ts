/**
 * The app servers of a run. The first is `server/main.ts` as today (server-process.ts): it owns the
 * embedded sandbox (relay, Lightning network and NWC wallets, market, Stripe), on the ports after
 * SOAK_PORT. With SOAK_INSTANCES > 1 the others are instances as the multi-instance tests run them
 * (server/integration/instance.child.ts: compose.ts and http/app.ts as main.ts builds them, its own
 * connection and background loops) on the same PostgreSQL database, the same secrets key and that one
 * sandbox: its market as their catalog, its treasury, its Stripe. Only the first creates wallets (the
 * sandbox's are in its process), so people sign up there; every other request goes anywhere.
 */
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInstance, stopInstance, type Instance } from '../../server/integration/multi-instance-support';
import { SANDBOX_BTC_USD_RATE } from '../../server/rails/rates/fixed-rate';
import { MSAT_PER_BTC } from '../../shared/money';
import { createServerProcess, type ServerProcess } from './server-process';
import { sandboxConnections } from './wallet-balances';

export interface DeploymentOptions {
  port: number;
  dataDir: string;
  /** The run's PostgreSQL database; null = the SQLite file in dataDir (one instance only). */
  databaseUrl: string | null;
  instances: number;
  /** Environment of the sandbox owner (slow and misbehaving services, limits, log level). */
  env: Record<string, string>;
}

/** The others' fixed BTC/USD price (SANDBOX_BTC_USD_RATE) in dollars, as the owner's BTC_USD_RATE. */
const SANDBOX_PRICE_USD = String((SANDBOX_BTC_USD_RATE.usdCents * MSAT_PER_BTC) / SANDBOX_BTC_USD_RATE.perMsat / 100);

/** Instance i > 0 listens on SOAK_PORT + 3 + i: after the owner's port and its sandbox's three. */
const instancePort = (port: number, index: number) => port + 3 + index;

/** The owner (index 0) plus the other instances, started in that order; the owner must be up first. */
export async function startDeployment(options: DeploymentOptions): Promise<ServerProcess[]> {
  const secretsKey = randomBytes(32);
  const owner = createServerProcess({
    port: options.port,
    dataDir: options.dataDir,
    logPath: `${options.dataDir}/server.log`,
    env: {
      ...options.env,
      SANDBOX_RELAY_PORT: String(options.port + 1),
      SANDBOX_MARKET_PORT: String(options.port + 2),
      SANDBOX_STRIPE_PORT: String(options.port + 3),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      // Every instance seals and opens secrets with one key, and prices at one BTC/USD rate (the
      // others' fixed sandbox rate).
      ...(options.instances > 1 ? { SECRETS_KEY: secretsKey.toString('base64'), BTC_USD_RATE: SANDBOX_PRICE_USD } : {}),
    },
  });
  await owner.start();
  if (options.instances === 1) return [owner];
  if (!options.databaseUrl) throw new Error('several instances need a PostgreSQL database');
  const config = {
    databaseUrl: options.databaseUrl,
    secretsKeyHex: secretsKey.toString('hex'),
    providerUrls: [`http://127.0.0.1:${options.port + 2}`],
    stripeUrl: `http://127.0.0.1:${options.port + 3}`,
    stripeWebhookSecret: readFileSync(join(options.dataDir, 'sandbox', 'stripe-webhook-secret'), 'utf8').trim(),
    treasuryUrl: sandboxConnections(options.dataDir).treasury ?? '',
  };
  const others = Array.from({ length: options.instances - 1 }, (_, i) =>
    createInstanceProcess({ ...config, port: instancePort(options.port, i + 1) }, `${options.dataDir}/instance-${i + 1}.log`),
  );
  await Promise.all(others.map((other) => other.start()));
  return [owner, ...others];
}

/**
 * An instance.child.ts process as a ServerProcess: started, SIGKILLed and restarted on its port, stopped.
 * Its stderr (where what it cannot handle ends up) is appended to `logPath` across restarts.
 */
function createInstanceProcess(config: object & { port: number }, logPath: string): ServerProcess {
  const log = openSync(logPath, 'a');
  let instance: Instance | null = null;
  let up = false;
  let crashes = 0;
  // Never leave an instance behind, whatever ends the soak.
  process.on('exit', () => instance?.child.kill('SIGKILL'));
  return {
    baseUrl: `http://127.0.0.1:${config.port}`,
    async start() {
      const started = await startInstance(config, log);
      // kill() and stop() let go of the instance before it exits; an exit of the current one is a crash.
      started.child.once('exit', () => {
        if (instance !== started) return;
        crashes += 1;
        up = false;
        instance = null;
      });
      instance = started;
      up = true;
    },
    async kill() {
      const current = instance;
      up = false;
      instance = null;
      await current?.kill();
    },
    async stop(timeoutMs) {
      const current = instance;
      up = false;
      instance = null;
      return current ? stopInstance(current, timeoutMs) : true;
    },
    isUp: () => up,
    crashes: () => crashes,
  };
}
