import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from './db/client';
import { loadSecretsKey } from './db/secret-box';
import { createAccountsModule } from './domain/accounts';
import type { WalletProvisioner } from './domain/ports/wallet-provisioner';
import { loadEnv, type Env } from './env';
import { buildHttpApp } from './http/app';
import { createLogger, type Logger } from './logger';
import { startSandbox, type RunningSandbox } from './sandbox/stack';
import { APP_VERSION } from './version';

/** Composition root: env -> logger -> db -> rails -> domain services -> HTTP. */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  const database = openDatabase(env.databasePath);
  const secretsKey = loadSecretsKey({
    configuredKeyBase64: env.SECRETS_KEY,
    mode: env.mode,
    keyPath: join(env.DATA_DIR, 'secrets.key'),
  });

  const sandbox = env.mode === 'sandbox' ? await startEmbeddedSandbox(env, logger) : null;
  // Sandbox: every new account gets a simulated wallet with a welcome balance. Live: people bring their
  // own wallet connection, so there is no provisioner.
  const walletProvisioner: WalletProvisioner | null =
    sandbox && env.sandboxPieces.treasury
      ? {
          provisionUserWallet: async (userId) => ({
            nwcUrl: await sandbox.createUserWallet(userId, { initialBalanceMsat: SANDBOX_WELCOME_BALANCE_MSAT }),
          }),
        }
      : null;
  const accounts = createAccountsModule({ db: database.db, secretsKey, walletProvisioner, logger });
  if (env.OPERATOR_EMAIL && env.OPERATOR_PASSWORD) {
    const outcome = await accounts.accounts.ensureOperator({ email: env.OPERATOR_EMAIL, password: env.OPERATOR_PASSWORD });
    logger.info({ outcome }, 'operator account from configuration');
  }
  const purgeSessions = setInterval(() => accounts.sessions.purgeExpired(), 60 * 60_000);
  purgeSessions.unref();

  const app = await buildHttpApp({
    deps: { mode: env.mode, version: APP_VERSION, logger, accounts },
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    publicOrigin: env.publicUrl,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(purgeSessions);
    await app.close();
    await sandbox?.close();
    database.close();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ host: env.HOST, port: env.PORT });
  logger.info({ url: `http://${env.HOST}:${env.PORT}`, mode: env.mode }, 'Steward is running');
}

/** A new sandbox account starts with 100,000 sats of play money so it can try the agent at once. */
const SANDBOX_WELCOME_BALANCE_MSAT = 100_000_000;

function startEmbeddedSandbox(env: Env, logger: Logger): Promise<RunningSandbox> {
  return startSandbox({
    dataDir: join(env.DATA_DIR, 'sandbox'),
    host: '127.0.0.1',
    ports: { relay: env.SANDBOX_RELAY_PORT, market: env.SANDBOX_MARKET_PORT, stripe: env.SANDBOX_STRIPE_PORT },
    stripeWebhookUrl: `${env.publicUrl}/api/stripe/webhook`,
    log: (msg, extra) => logger.info(extra ?? {}, msg),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Steward failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
