import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from './compose';
import { openDatabase } from './db/client';
import { loadSecretsKey } from './db/secret-box';
import { configuredProviderUrls, loadEnv, type Env } from './env';
import { allowedHostsFor } from './http/allowed-hosts';
import { buildHttpApp } from './http/app';
import { DEFAULT_RATE_LIMITS } from './http/rate-limits';
import { createLogger, type Logger } from './logger';
import { createConfiguredExchangeRate, createFixedExchangeRate } from './rails/rates/fixed-rate';
import { startSandbox, type RunningSandbox } from './sandbox/stack';
import { APP_VERSION } from './version';

/** Composition root: env -> logger -> db -> sandbox or live rails -> domain services -> HTTP. */
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

  const services = composeServices({
    database,
    secretsKey,
    logger,
    rates: env.BTC_USD_RATE ? createConfiguredExchangeRate(env.BTC_USD_RATE) : createFixedExchangeRate(),
    providerUrls: configuredProviderUrls(env, sandbox?.marketUrl ?? null),
    // Sandbox: every new account gets a simulated, funded wallet. Live: people bring their own.
    sandboxWallets: sandbox && env.sandboxPieces.treasury ? sandbox : null,
    network: env.mode === 'live' ? 'mainnet' : 'regtest',
    llm: env.LLM_BASE_URL && env.LLM_MODEL ? { baseUrl: env.LLM_BASE_URL, model: env.LLM_MODEL, apiKey: env.LLM_API_KEY } : undefined,
  });
  if (env.OPERATOR_EMAIL && env.OPERATOR_PASSWORD) {
    const outcome = await services.accounts.accounts.ensureOperator({ email: env.OPERATOR_EMAIL, password: env.OPERATOR_PASSWORD });
    logger.info({ outcome }, 'operator account from configuration');
  }
  await services.start();

  const app = await buildHttpApp({
    deps: { mode: env.mode, version: APP_VERSION, logger, ...services },
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    publicOrigin: env.publicUrl,
    allowedHosts: allowedHostsFor({ publicUrl: env.publicUrl, host: env.HOST, port: env.PORT }),
    rateLimits: { ...DEFAULT_RATE_LIMITS, sign_up: { ...DEFAULT_RATE_LIMITS.sign_up, max: env.SIGN_UP_RATE_LIMIT } },
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await services.stop();
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

function startEmbeddedSandbox(env: Env, logger: Logger): Promise<RunningSandbox> {
  return startSandbox({
    dataDir: join(env.DATA_DIR, 'sandbox'),
    host: '127.0.0.1',
    ports: { relay: env.SANDBOX_RELAY_PORT, market: env.SANDBOX_MARKET_PORT, stripe: env.SANDBOX_STRIPE_PORT },
    ...(env.SANDBOX_SLOW_SERVICES ? { processingDelayMs: env.SANDBOX_SLOW_SERVICES } : {}),
    ...(env.SANDBOX_MISBEHAVING_SERVICES ? { misbehaviours: env.SANDBOX_MISBEHAVING_SERVICES } : {}),
    stripeWebhookUrl: `${env.publicUrl}/api/stripe/webhook`,
    log: (msg, extra) => logger.info(extra ?? {}, msg),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Steward failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
