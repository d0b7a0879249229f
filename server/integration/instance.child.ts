// One Steward instance for the multi-instance tests (and the soak's instances after its first), run as
// its own process: its own PostgreSQL connection (DATABASE_URL's database, shared with the other
// instances), its own background loops (services.start(): reconciler, top-up funding, refunds, wallet
// sync) and its own HTTP server, built by compose.ts and http/app.ts as main.ts builds them, against a
// sandbox another process runs.
// It prints {"ready": <its URL>} once serving, then answers JSON-line commands on stdin with one
// JSON line each, tagged with the command's id (multi-instance-support.ts is the other side):
//   spend      purchases through the payments service, all at once, one per idempotency key
//   stopNext   the next pay_invoice is sent, then the wallet's answer is never read: the process
//              prints {"at": "during"} and waits for its SIGKILL (after the write-ahead, before settling)
//   reconcile  one pass of this instance's reconciler
//   topUp      a card top-up's checkout session on the sandbox's Stripe
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { msat, usdCents } from '../../shared/money';
import { composeServices } from '../compose';
import { openDatabase } from '../db/client';
import type { PurchaseOutcome } from '../domain/payments';
import { testAuthorization } from '../domain/payments/test-fakes';
import type { OpenWallet, WalletPort } from '../domain/ports/wallet';
import { buildHttpApp } from '../http/app';
import { createLogger } from '../logger';
import { nwcWalletOpener } from '../rails/nwc/nwc-wallet';
import { createFixedExchangeRate, SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { createStripeCheckout } from '../rails/stripe/stripe-checkout';
import { printLine } from './treasury-kill';

const configSchema = z.object({
  databaseUrl: z.string(),
  secretsKeyHex: z.string().regex(/^[0-9a-f]{64}$/),
  providerUrls: z.array(z.string()),
  stripeUrl: z.string(),
  stripeWebhookSecret: z.string(),
  treasuryUrl: z.string(),
  /** 0 (the default) = a free port; the soak gives each instance its own, kept across restarts. */
  port: z.number().int().min(0).max(65_535).default(0),
});

const commandSchema = z.discriminatedUnion('op', [
  z.object({
    id: z.number(),
    op: z.literal('spend'),
    userId: z.string(),
    providerUrl: z.string(),
    services: z.array(z.string()).min(1),
    priceMsat: z.number().int().positive(),
    keys: z.array(z.string()),
  }),
  z.object({ id: z.number(), op: z.literal('stopNext') }),
  z.object({ id: z.number(), op: z.literal('reconcile') }),
  z.object({ id: z.number(), op: z.literal('topUp'), userId: z.string(), usdCents: z.number().int().positive() }),
]);
type Command = z.infer<typeof commandSchema>;

export interface SpendResult {
  key: string;
  kind: PurchaseOutcome['kind'];
  reason: string | null;
  paymentId: string | null;
  via: string | null;
}

const config = configSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const forever = () => new Promise<never>(() => {});
let stopNextPayment = false;

/** Every wallet this instance opens, with pay_invoice able to stop half-way when armed (stopNext). */
const openSandboxWallet = nwcWalletOpener({ allowLoopback: true });
const openWallet: OpenWallet = (url, origin) => {
  const opened = openSandboxWallet(url, origin);
  if (!opened.ok) return opened;
  const wallet: WalletPort = opened.wallet;
  const payInvoice: WalletPort['payInvoice'] = (invoice) => {
    if (!stopNextPayment) return wallet.payInvoice(invoice);
    void wallet.payInvoice(invoice);
    printLine({ at: 'during' });
    return forever();
  };
  return { ok: true, wallet: { ...bound(wallet), payInvoice } };
};

function bound(wallet: WalletPort): WalletPort {
  return {
    getInfo: () => wallet.getInfo(),
    getBalance: () => wallet.getBalance(),
    getBudget: () => wallet.getBudget(),
    makeInvoice: (request) => wallet.makeInvoice(request),
    lookupInvoice: (request) => wallet.lookupInvoice(request),
    listTransactions: (request) => wallet.listTransactions(request),
    payInvoice: (invoice) => wallet.payInvoice(invoice),
    close: () => wallet.close(),
  };
}

const logger = createLogger({ level: 'silent' });
const database = openDatabase(config.databaseUrl);
const services = composeServices({
  database,
  secretsKey: Buffer.from(config.secretsKeyHex, 'hex'),
  logger,
  rates: createFixedExchangeRate(),
  providerUrls: config.providerUrls,
  sandboxWallets: null,
  databaseUrl: config.databaseUrl,
  topUps: {
    checkout: createStripeCheckout({ secretKey: 'sk_test_sandbox', webhookSecret: config.stripeWebhookSecret, apiBaseUrl: config.stripeUrl }),
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1',
    treasuryUrl: config.treasuryUrl,
    fundingIntervalMs: 250,
  },
  seams: { openWallet },
});
await services.start();
const app = await buildHttpApp({ deps: { mode: 'sandbox', version: 'test', logger, ...services } });
const url = await app.listen({ host: '127.0.0.1', port: config.port });
printLine({ ready: url });

async function spendOne(command: Extract<Command, { op: 'spend' }>, key: string, index: number): Promise<SpendResult> {
  const service = command.services[index % command.services.length] ?? '';
  const outcome = await services.payments.purchase({
    userId: command.userId,
    timeZone: 'UTC',
    idempotencyKey: key,
    task: null,
    serviceId: `short-token/${service}`,
    service,
    providerId: 'short-token',
    request: { url: `${command.providerUrl}/v1/${service}`, method: 'GET' },
    authorization: testAuthorization({ approvedMaxMsat: msat(command.priceMsat), rate: SANDBOX_BTC_USD_RATE }),
  });
  return {
    key,
    kind: outcome.kind,
    reason: 'reason' in outcome ? outcome.reason : null,
    paymentId: 'paymentId' in outcome ? outcome.paymentId : null,
    via: outcome.kind === 'delivered' ? outcome.via : null,
  };
}

async function answer(command: Command): Promise<object> {
  switch (command.op) {
    case 'spend':
      return { outcomes: await Promise.all(command.keys.map((key, index) => spendOne(command, key, index))) };
    case 'stopNext':
      stopNextPayment = true;
      return { armed: true };
    case 'reconcile':
      return { report: await services.reconciler.reconcileOnce() };
    case 'topUp': {
      const created = await services.topUps.create(command.userId, usdCents(command.usdCents));
      return created.ok ? { topUpId: created.topUp.id, checkoutUrl: created.topUp.checkoutUrl, amountMsat: created.topUp.amountMsat } : { refused: created.reason };
    }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = commandSchema.parse(JSON.parse(line));
  // Commands run concurrently: the parent may send the next before this one is answered.
  void answer(command).then(
    (reply) => printLine({ id: command.id, ...reply }),
    (error: unknown) => printLine({ id: command.id, error: error instanceof Error ? error.message : String(error) }),
  );
}

// The parent closed stdin: stop as main.ts does on SIGTERM.
await app.close();
await services.stop();
database.close();
process.exit(0);
