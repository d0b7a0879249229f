// Card top-ups over the real stack, as main.ts builds it: the embedded sandbox (relay, Lightning, NWC
// wallets, the Stripe sandbox that signs and posts webhooks), the service graph from compose.ts with
// top-ups wired to the sandbox's Stripe API and treasury, and the app's HTTP server serving the webhook
// route. Used in-process by topups-sandbox.test.ts and as a child process by the SIGKILL test.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { usdCents } from '../../shared/money';
import { composeServices } from '../compose';
import { openDatabase } from '../db/client';
import type { WalletPort } from '../domain/ports/wallet';
import { buildHttpApp } from '../http/app';
import { createLogger } from '../logger';
import { openNwcWallet } from '../rails/nwc/nwc-wallet';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';
import { createStripeCheckout } from '../rails/stripe/stripe-checkout';
import { startSandbox } from '../sandbox/stack';
import { wrappingTreasury } from './treasury-kill';

export interface TopUpStackOptions {
  /** Wraps the treasury wallet (the SIGKILL test stops it at a chosen point of the payment). */
  wrapTreasury?: (treasury: WalletPort) => WalletPort;
  /** How often the funding retry loop runs (default 250 ms here). */
  fundingIntervalMs?: number;
  /** How long leases on background work last (compose.ts); restart tests shorten it. */
  leaseTtlMs?: number;
}

export async function startTopUpStack(dataDir: string, options: TopUpStackOptions = {}) {
  // The app's port is kept in the directory: the sandbox redelivers pending webhook events to it after a restart.
  const port = await rememberedPort(join(dataDir, 'app-port'));
  const publicUrl = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({ dataDir: join(dataDir, 'sandbox'), host: '127.0.0.1', stripeWebhookUrl: `${publicUrl}/api/stripe/webhook` });
  const database = openDatabase(join(dataDir, 'app.db'));
  const keyPath = join(dataDir, 'secrets.key');
  if (!existsSync(keyPath)) writeFileSync(keyPath, randomBytes(32), { mode: 0o600 });
  const treasuryUrl = sandbox.wallets.treasury ?? null;
  const logger = createLogger({ level: 'silent' });
  const services = composeServices({
    database,
    secretsKey: readFileSync(keyPath),
    logger,
    rates: createFixedExchangeRate(),
    providerUrls: [],
    sandboxWallets: sandbox,
    ...(options.wrapTreasury ? { seams: { openWallet: wrappingTreasury(treasuryUrl, options.wrapTreasury) } } : {}),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    topUps: {
      checkout: createStripeCheckout({ secretKey: 'sk_test_sandbox', webhookSecret: sandbox.stripeWebhookSecret, apiBaseUrl: sandbox.stripeUrl }),
      limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
      publicUrl,
      treasuryUrl,
      fundingIntervalMs: options.fundingIntervalMs ?? 250,
    },
  });
  await services.start();
  const app: FastifyInstance = await buildHttpApp({ deps: { mode: 'sandbox', version: 'test', logger, ...services } });
  await app.listen({ host: '127.0.0.1', port });
  return {
    ...services,
    sandbox,
    database,
    publicUrl,
    async close() {
      await app.close();
      await services.stop();
      database.close();
      await sandbox.close();
    },
  };
}

export type TopUpStack = Awaited<ReturnType<typeof startTopUpStack>>;

/** Submits the sandbox's hosted checkout form with a test card, as a person's browser would. */
export function payWithCard(checkoutUrl: string, cardNumber: string): Promise<Response> {
  const form = new URLSearchParams({ email: 'ada@example.com', card_number: cardNumber, expiry: '12 / 34', cvc: '123', name: 'Ada Lovelace' });
  return fetch(checkoutUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
}

/** Resolves with the top-up once `done` holds, watching its live changes (what the return page sees). */
export async function untilTopUp(stack: TopUpStack, userId: string, topUpId: string, done: (status: string) => boolean, timeoutMs = 20_000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const view of stack.topUps.watch(userId, topUpId, controller.signal)) if (done(view.status)) return view;
    throw new Error(`top-up ${topUpId} never reached the expected state`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function rememberedPort(path: string): Promise<number> {
  if (existsSync(path)) return Number(readFileSync(path, 'utf8'));
  const port = await freeAppPort();
  writeFileSync(path, String(port));
  return port;
}

/**
 * The app listens only after the sandbox (which must know its webhook address) has started, so its port
 * is chosen first. Linux gives outgoing connections and listen(0) ports from 32768-60999; a port drawn
 * from there could be handed to one of those (a database or relay connection of a test running beside
 * this one) before the app binds it. Below that range only another chooser like this one can take it.
 */
async function freeAppPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * What a person's wallet holds, asked over NWC with the connection Steward stored for them: money paths
 * are judged by the wallet, not only the ledger. `walletConnection` is the accounts service's reader.
 */
export async function walletBalanceOverNwc(walletConnection: (userId: string) => string | null, userId: string): Promise<number> {
  const url = walletConnection(userId);
  const opened = url === null ? null : openNwcWallet(url);
  if (!opened?.ok) throw new Error('the person has no usable wallet');
  try {
    const balance = await opened.wallet.getBalance();
    if (!balance.ok) throw new Error(balance.message);
    return balance.value.balanceMsat;
  } finally {
    opened.wallet.close();
  }
}
