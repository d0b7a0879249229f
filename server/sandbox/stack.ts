import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { decodeRegtestInvoice, LightningNetwork, type LightningNode } from './lightning';
import { MARKET_PROVIDERS, pinnedBtcUsd, SPOT_PRICE_PATH, startMarket, type CatalogMisbehaviour, type RefundBehaviour, type Refunder } from './market';
import { startRelay } from './relay/relay';
import { startStripeSandbox } from './stripe';
import { SandboxWallets } from './wallets';

export interface SandboxOptions {
  /** Everything the sandbox keeps (its SQLite file, market keys, Stripe state, connections.json). */
  dataDir: string;
  host?: string;
  /** 0 or absent = a free port. */
  ports?: { relay?: number; market?: number; stripe?: number };
  /** Market services that answer a paid call only after this many ms (see market/README.md). */
  processingDelayMs?: Readonly<Record<string, number>>;
  /** Market services that misbehave in a named way (see market/README.md); default none. */
  misbehaviours?: Readonly<Record<string, CatalogMisbehaviour>>;
  /** Per provider id, a refund behaviour instead of the catalog's (see market/README.md); for tests. */
  refundBehaviours?: Readonly<Record<string, RefundBehaviour | 'none'>>;
  /** How long a `slow` refund desk takes before it pays and answers. */
  slowRefundMs?: number;
  /** Pins the market's BTC/USD price (its btc-price service and spot endpoint); default its moving series. */
  btcUsdPerBtc?: number;
  /** Where the Stripe sandbox posts webhook events (default: the app's route on its default port). */
  stripeWebhookUrl?: string;
  /** Signing secret for those events (default: one generated once and kept in `<dataDir>`). */
  stripeWebhookSecret?: string;
  log?: (msg: string, extra?: object) => void;
}

export interface RunningSandbox {
  relayUrl: string;
  marketUrl: string;
  stripeUrl: string;
  /**
   * The market's free BTC/USD spot price (Coinbase's shape): the app's rate feed in sandbox mode, so
   * the app's fiat figures and the market's btc-price service agree.
   */
  rateUrl: string;
  /** The secret the Stripe sandbox signs its webhook events with (the app verifies them with it). */
  stripeWebhookSecret: string;
  /** The simulated Lightning network, for tests: `network.node(name)?.setFault(...)`, balances. */
  network: LightningNetwork;
  /** Wallet name -> NWC connection URL: `guest`, `treasury`, `provider:<id>`, `user:<id>`. */
  wallets: Record<string, string>;
  /** The user's spending wallet (created, funded with `initialBalanceMsat`, on first call only). */
  createUserWallet(userId: string, opts?: { initialBalanceMsat?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Funding applied when a wallet is first created; balances persist after that. */
export const GUEST_INITIAL_BALANCE_MSAT = 1_000_000 * 1_000; // 1,000,000 sat
export const TREASURY_INITIAL_BALANCE_MSAT = 100_000_000 * 1_000; // 100,000,000 sat (1 BTC)
/** A provider's float, so it can pay a refund back (price plus the buyer's routing fee, plus its own). */
export const PROVIDER_INITIAL_BALANCE_MSAT = 1_000_000 * 1_000; // 1,000,000 sat
const DEFAULT_STRIPE_WEBHOOK_URL = 'http://127.0.0.1:5402/api/stripe/webhook';

const userIdSchema = z.string().min(1).max(128);
const providerNodeName = (providerId: string) => `provider:${providerId}`;

/**
 * The embedded sandbox: relay, simulated Lightning network with NWC wallets, demo L402 market and
 * Stripe sandbox, all on loopback. Writes `<dataDir>/connections.json` (mode 0600) for any NIP-47
 * client, with a funded `guest` wallet.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  mkdirSync(options.dataDir, { recursive: true });
  const dbPath = join(options.dataDir, 'sandbox.db');
  // It holds node keys and NWC secrets: create it owner-only (SQLite gives -wal/-shm the same mode).
  if (!existsSync(dbPath)) writeFileSync(dbPath, '', { mode: 0o600 });
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const closers: (() => Promise<void> | void)[] = [() => void db.close()];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };

  try {
    const network = new LightningNetwork(db);
    network.ensureNode('treasury', { initialBalanceMsat: TREASURY_INITIAL_BALANCE_MSAT });
    network.ensureNode('guest', { initialBalanceMsat: GUEST_INITIAL_BALANCE_MSAT });
    for (const provider of MARKET_PROVIDERS) network.ensureNode(providerNodeName(provider.id), { initialBalanceMsat: PROVIDER_INITIAL_BALANCE_MSAT });

    // Connection strings embed the relay URL and the app stores them, so a port picked freely on the
    // first start is remembered and reused on later starts (falling back to a new one if it is taken).
    const portsFile = join(options.dataDir, 'ports.json');
    const remembered = readRememberedPorts(portsFile);
    const listen = <T extends { url: string }>(name: keyof RememberedPorts, start: (port: number) => Promise<T>) =>
      listenRemembering(options.ports?.[name] ?? 0, remembered[name], start);

    const relay = await listen('relay', (port) => startRelay({ host, port }));
    closers.push(() => relay.close());
    // The treasury may make connections over NIP-47 create_connection, as an operator's Alby Hub connection can.
    const wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url, connectionCreators: ['treasury'] });
    closers.push(() => wallets.close());
    for (const name of ['treasury', 'guest', ...MARKET_PROVIDERS.map((p) => providerNodeName(p.id))]) {
      await wallets.connect(name, name);
    }

    const market = await listen('market', (port) =>
      startMarket({
        host,
        port,
        invoicerFor: (providerId) => requireNode(network, providerNodeName(providerId)),
        refunderFor: (providerId) => nodeRefunder(network, requireNode(network, providerNodeName(providerId))),
        dataDir: join(options.dataDir, 'market'),
        ...(options.refundBehaviours ? { refundBehaviours: options.refundBehaviours } : {}),
        ...(options.slowRefundMs === undefined ? {} : { slowRefundMs: options.slowRefundMs }),
        ...(options.processingDelayMs ? { processingDelayMs: options.processingDelayMs } : {}),
        ...(options.misbehaviours ? { misbehaviours: options.misbehaviours } : {}),
        ...(options.btcUsdPerBtc === undefined ? {} : { btcUsd: pinnedBtcUsd(options.btcUsdPerBtc) }),
      }),
    );
    closers.push(() => market.close());
    const stripeWebhookSecret = options.stripeWebhookSecret ?? persistentSecret(join(options.dataDir, 'stripe-webhook-secret'));
    const stripe = await listen('stripe', (port) =>
      startStripeSandbox({
        host,
        port,
        webhookUrl: options.stripeWebhookUrl ?? DEFAULT_STRIPE_WEBHOOK_URL,
        webhookSecret: stripeWebhookSecret,
        dataDir: join(options.dataDir, 'stripe'),
      }),
    );
    closers.push(() => stripe.close());

    const urls = { relayUrl: relay.url, marketUrl: market.url, stripeUrl: stripe.url };
    writePrivateJson(portsFile, { relay: portOf(relay.url), market: portOf(market.url), stripe: portOf(stripe.url) });
    const writeConnections = () =>
      writePrivateJson(join(options.dataDir, 'connections.json'), { ...urls, wallets: wallets.urls() });
    writeConnections();
    log('sandbox started', { ...urls, wallets: Object.keys(wallets.urls()) });

    return {
      ...urls,
      rateUrl: `${market.url}${SPOT_PRICE_PATH}`,
      stripeWebhookSecret,
      network,
      get wallets() {
        return wallets.urls();
      },
      async createUserWallet(userId, opts = {}) {
        const name = `user:${userIdSchema.parse(userId)}`;
        network.ensureNode(name, { initialBalanceMsat: opts.initialBalanceMsat ?? 0 });
        const url = await wallets.connect(name, name);
        writeConnections();
        return url;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface RememberedPorts {
  relay?: number;
  market?: number;
  stripe?: number;
}

const rememberedPortsSchema = z.object({
  relay: z.number().int().min(1).max(65_535).optional(),
  market: z.number().int().min(1).max(65_535).optional(),
  stripe: z.number().int().min(1).max(65_535).optional(),
});

function readRememberedPorts(path: string): RememberedPorts {
  if (!existsSync(path)) return {};
  const parsed = rememberedPortsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : {};
}

/** An explicit port wins; otherwise the remembered one, unless another process took it meanwhile. */
async function listenRemembering<T>(requested: number, remembered: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (requested !== 0 || remembered === undefined) return start(requested);
  try {
    return await start(remembered);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

const portOf = (url: string): number => Number(new URL(url).port);

/** A provider's node as its refund desk: what it received per payment hash, and paying an invoice back. */
function nodeRefunder(network: LightningNetwork, node: LightningNode): Refunder {
  return {
    receivedMsat(paymentHashHex) {
      const tx = node.lookup(paymentHashHex);
      return tx?.direction === 'incoming' && tx.state === 'settled' ? tx.amountMsat : null;
    },
    refundableMsat: (receivedMsat) => receivedMsat + network.feeFor(receivedMsat),
    async payBack(invoice, amountMsat) {
      const decoded = decodeRegtestInvoice(invoice);
      if (!decoded.ok || decoded.invoice.amountMsat !== amountMsat) return { ok: false, reason: 'the invoice does not ask the amount requested' };
      const paid = await node.pay(invoice);
      return paid.status === 'settled' ? { ok: true } : { ok: false, reason: paid.status === 'refused' ? paid.reason : 'no reply' };
    },
  };
}

function requireNode(network: LightningNetwork, name: string): LightningNode {
  const node = network.node(name);
  if (!node) throw new Error(`no lightning node ${name}`);
  return node;
}

/** Connection strings carry wallet secrets: owner-only, written whole (temp file + rename). */
function writePrivateJson(path: string, value: object): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

function persistentSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
