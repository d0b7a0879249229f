import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usdCents } from '../shared/money';
import { composeServices, type TopUpsConfig } from './compose';
import { startCheckpointer } from './db/checkpointer';
import { openDatabase } from './db/client';
import { foldOnStop } from './db/repositories/fold-on-stop';
import { loadSecretsKey } from './db/secret-box';
import { configuredProviderUrls, DEFAULT_RATE_URLS, loadEnv, type Env } from './env';
import { bannerFields, startBanner } from './banner';
import { allowedHostsFor } from './http/allowed-hosts';
import { buildHttpApp } from './http/app';
import { DEFAULT_RATE_LIMITS } from './http/rate-limits';
import { createLogger, type Logger } from './logger';
import { createStripeCheckout } from './rails/stripe/stripe-checkout';
import { startSandbox, type RunningSandbox } from './sandbox/stack';
import { connectTreasury, startRateFeed, StartupRefusal, type ConnectedTreasury } from './startup-checks';
import { APP_VERSION } from './version';

/**
 * Composition root: env -> logger -> sandbox -> rails checked (rate, treasury) -> db -> domain services
 * -> HTTP. A rail that cannot move money stops the start with one line (startup-checks.ts).
 */
async function main(): Promise<void> {
  const env = loadEnv();
  // A person at a terminal reads the logs; anything else (a service manager, a pipe) gets JSON lines.
  const onTerminal = Boolean(process.stdout.isTTY);
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: onTerminal });
  const sandbox = env.mode === 'sandbox' ? await startEmbeddedSandbox(env, logger) : null;
  let rails: Awaited<ReturnType<typeof connectRails>>;
  try {
    rails = await connectRails(env, sandbox, logger);
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
  const { rates, treasury } = rails;
  const database = openDatabase(env.databaseUrl ?? env.databasePath);
  // On SQLite, WAL checkpoints run on a worker thread rather than inside a request's commit.
  const checkpointer = env.databaseUrl
    ? null
    : startCheckpointer(env.databasePath, { onError: (err) => logger.error({ err }, 'background checkpoints stopped; SQLite checkpoints on commit') });
  const secretsKey = loadSecretsKey({
    configuredKeyBase64: env.SECRETS_KEY,
    mode: env.mode,
    keyPath: join(env.DATA_DIR, 'secrets.key'),
  });

  const services = composeServices({
    database,
    secretsKey,
    logger,
    rates,
    providerUrls: configuredProviderUrls(env, sandbox?.marketUrl ?? null),
    // Sandbox: every new account gets a simulated, funded wallet. With NWC_TREASURY_URL: a hosted
    // sub-wallet where the operator's node can make one, otherwise people bring their own.
    sandboxWallets: sandbox && env.sandboxPieces.treasury ? sandbox : null,
    ...(treasury ? { hostedWallets: treasury.provisioner } : {}),
    network: env.mode === 'live' ? 'mainnet' : 'regtest',
    allowLoopbackRelays: env.mode === 'sandbox',
    llm: env.LLM_BASE_URL && env.LLM_MODEL ? { baseUrl: env.LLM_BASE_URL, model: env.LLM_MODEL, apiKey: env.LLM_API_KEY } : undefined,
    topUps: topUpsConfig(env, sandbox),
    disputeSharePercent: env.DISPUTE_MAX_SHARE_PERCENT,
    databaseUrl: env.databaseUrl,
  });
  if (env.OPERATOR_EMAIL && env.OPERATOR_PASSWORD) {
    const outcome = await services.accounts.accounts.ensureOperator({ email: env.OPERATOR_EMAIL, password: env.OPERATOR_PASSWORD });
    if (outcome === 'password_mismatch') logger.error({ outcome }, 'OPERATOR_EMAIL names an account whose password is not OPERATOR_PASSWORD: it was not made an operator');
    else logger.info({ outcome }, 'operator account from configuration');
  }
  await services.start();

  const app = await buildHttpApp({
    deps: { mode: env.mode, version: APP_VERSION, logger, ...services },
    clientDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    publicOrigin: env.publicUrl,
    allowedHosts: allowedHostsFor({ publicUrl: env.publicUrl, host: env.HOST, port: env.PORT }),
    ...(env.TRUST_PROXY ? { trustedProxies: env.TRUST_PROXY } : {}),
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      sign_up: { ...DEFAULT_RATE_LIMITS.sign_up, max: env.SIGN_UP_RATE_LIMIT },
      sign_in: { ...DEFAULT_RATE_LIMITS.sign_in, max: env.SIGN_IN_RATE_LIMIT },
    },
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await services.stop();
    rates.stop();
    treasury?.treasury.close();
    await sandbox?.close();
    await checkpointer?.stop();
    try {
      foldOnStop(database.sqlite);
    } catch (error) {
      // Nothing is lost: the changes and the reservations stay where they are, and are folded later.
      logger.warn({ err: error }, 'usage changes or reservations left for a later fold');
    }
    database.close();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ host: env.HOST, port: env.PORT });
  const facts = { url: env.publicUrl, mode: env.mode, dataDir: env.DATA_DIR, databasePath: env.databasePath };
  if (onTerminal) process.stdout.write(startBanner(facts));
  else logger.info(bannerFields(facts), 'Steward is running');
}

/**
 * The rate feed (RATE_URLS, else the sandbox market's spot price, else DEFAULT_RATE_URLS) and, when
 * configured, the treasury: both checked before anything is served.
 */
async function connectRails(env: Env, sandbox: RunningSandbox | null, logger: Logger) {
  const urls = env.RATE_URLS ?? (sandbox ? [sandbox.rateUrl] : DEFAULT_RATE_URLS);
  const rates = await startRateFeed({ urls, maxAgeMs: env.RATE_MAX_AGE_SECONDS * 1000, refreshMs: env.RATE_REFRESH_SECONDS * 1000 }, logger);
  let treasury: ConnectedTreasury | null = null;
  try {
    if (env.NWC_TREASURY_URL) treasury = await connectTreasury(env.NWC_TREASURY_URL, env.mode);
  } catch (error) {
    rates.stop();
    throw error;
  }
  if (treasury) {
    const { network, methods } = treasury.info;
    logger.info({ network, methods, hostsWallets: methods.includes('create_connection') }, 'treasury wallet connected');
  }
  return { rates, treasury };
}

/** Stripe's real API with the configured keys, else the sandbox's; the sandbox treasury unless NWC_TREASURY_URL names one. */
function topUpsConfig(env: Env, sandbox: RunningSandbox | null): TopUpsConfig {
  const checkout = env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
    ? createStripeCheckout({ secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET })
    : createStripeCheckout({ secretKey: 'sk_test_sandbox', webhookSecret: requireSandbox(sandbox).stripeWebhookSecret, apiBaseUrl: requireSandbox(sandbox).stripeUrl });
  return {
    checkout,
    limits: {
      minUsdCents: usdCents(env.TOPUP_MIN_USD),
      maxUsdCents: usdCents(env.TOPUP_MAX_USD),
      perDayUsdCents: usdCents(env.TOPUP_DAILY_LIMIT_USD),
      spreadBps: env.TOPUP_SPREAD_PERCENT,
    },
    publicUrl: env.publicUrl,
    treasuryUrl: env.NWC_TREASURY_URL ?? sandbox?.wallets.treasury ?? null,
  };
}

function requireSandbox(sandbox: RunningSandbox | null): RunningSandbox {
  if (!sandbox) throw new Error('no Stripe keys are configured and the sandbox is not running');
  return sandbox;
}

function startEmbeddedSandbox(env: Env, logger: Logger): Promise<RunningSandbox> {
  return startSandbox({
    dataDir: join(env.DATA_DIR, 'sandbox'),
    host: '127.0.0.1',
    ports: { relay: env.SANDBOX_RELAY_PORT, market: env.SANDBOX_MARKET_PORT, stripe: env.SANDBOX_STRIPE_PORT },
    ...(env.SANDBOX_SLOW_SERVICES ? { processingDelayMs: env.SANDBOX_SLOW_SERVICES } : {}),
    ...(env.SANDBOX_MISBEHAVING_SERVICES ? { misbehaviours: env.SANDBOX_MISBEHAVING_SERVICES } : {}),
    ...(env.BTC_USD_RATE ? { btcUsdPerBtc: Number(env.BTC_USD_RATE) } : {}),
    stripeWebhookUrl: `${env.publicUrl}/api/stripe/webhook`,
    log: (msg, extra) => logger.info(extra ?? {}, msg),
  });
}

main().catch((error: unknown) => {
  // A refusal is already the one line an operator needs; anything else is a crash with its cause.
  const line = error instanceof StartupRefusal ? error.message : `Steward failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${line}\n`);
  process.exit(1);
});
