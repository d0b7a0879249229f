/**
 * The sandbox's demo L402 market: several providers' services behind Aperture-style L402, the
 * agent-spec manifest and quote endpoint, and a few misbehaving endpoints for tests.
 *
 * An invalid, expired, tampered or out-of-scope token gets a fresh 402 challenge, as Aperture
 * does (not the 401 the spec describes); the 402 body's `token_rejected` says why.
 */
import Fastify from 'fastify';
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { MARKET_PROVIDERS, SERVICES, providerName } from './catalog';
import { btcUsdAt, spotPrice, type BtcUsdSeries } from './content/bitcoin';
import type { MarketProvider, Service } from './catalog';
import type { Invoicer } from './invoicer';
import { loadRootKeys } from './keys';
import { QUOTE_PATH, buildManifest } from './manifest';
import { MISBEHAVING_ENDPOINTS, MISBEHAVING_PRICE_MSAT, MISBEHAVING_PROVIDER_ID, driftMsat } from './misbehaving';
import type { CatalogMisbehaviour } from './misbehaving';
import { quote } from './quote';
import { createRefundDesk, refundPathFor, type RefundBehaviour, type Refunder, type RefundDesk } from './refunds';
import { createSeller } from './seller';
import type { Challenge, Misbehaviour, SaleTerms } from './seller';
import { parseAuthorization } from './token';
import type { TokenRejection } from './token';

export { MARKET_PROVIDERS, SERVICES } from './catalog';
export type { MarketProvider, Service } from './catalog';
export type { InvoiceRequest, Invoicer, MintedInvoice } from './invoicer';
export { CATALOG_MISBEHAVIOURS, MISBEHAVING_ENDPOINTS } from './misbehaving';
export type { CatalogMisbehaviour } from './misbehaving';
export { pinnedBtcUsd, type BtcUsdSeries } from './content/bitcoin';
export { REFUND_BEHAVIOURS, type RefundBehaviour, type Refunder } from './refunds';

/** The market's free BTC/USD spot price (Coinbase's shape); not in the manifest, as nothing is sold there. */
export const SPOT_PRICE_PATH = '/v1/btc/spot';

export interface StartMarketOptions {
  host: string;
  port: number;
  invoicerFor(providerId: string): Invoicer;
  now?: () => number; // ms
  /** Root keys persist here, so tokens survive a restart. */
  dataDir?: string;
  /** How long the `slow` misbehaving endpoint stalls after payment. */
  slowResponseMs?: number;
  /**
   * Per service name (e.g. `{ summarise: 1500 }`): how long a paid call takes to answer, as a real
   * provider's work would. The challenge still comes at once: only the paid answer waits, so a client
   * can be observed between paying and receiving (e.g. a task cancelled midway). Default: no delay.
   */
  processingDelayMs?: Readonly<Record<string, number>>;
  /**
   * Per service name (e.g. `{ weather: 'drift' }`): a catalog service that breaks its contract in one
   * named way (see CATALOG_MISBEHAVIOURS in misbehaving.ts). Default: every service is honest.
   */
  misbehaviours?: Readonly<Record<string, CatalogMisbehaviour>>;
  /** The BTC/USD series every price service and `GET /v1/btc/spot` quote; default the sandbox's moving one. */
  btcUsd?: BtcUsdSeries;
  /**
   * Each provider's wallet for paying refunds back (the stack hands in its node). Without it no
   * provider publishes a refund endpoint.
   */
  refunderFor?(providerId: string): Refunder;
  /** Per provider id: its refund behaviour instead of the catalog's (`none`: no endpoint); for tests. */
  refundBehaviours?: Readonly<Record<string, RefundBehaviour | 'none'>>;
  /** How long a `slow` refund desk takes before it pays and answers (default 5 s). */
  slowRefundMs?: number;
}

export interface RunningMarket {
  url: string;
  providers: MarketProvider[];
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024;
const DEFAULT_SLOW_RESPONSE_MS = 120_000;
const DEFAULT_SLOW_REFUND_MS = 5_000;

export async function startMarket(opts: StartMarketOptions): Promise<RunningMarket> {
  const nowMs = opts.now ?? Date.now;
  // A misspelt name would silently slow nothing: refuse it.
  for (const [option, names] of [['processingDelayMs', opts.processingDelayMs], ['misbehaviours', opts.misbehaviours]] as const) {
    const unknown = Object.keys(names ?? {}).filter((name) => !SERVICES.some((s) => s.name === name));
    if (unknown.length > 0) throw new Error(`${option} names no service of the market: ${unknown.join(', ')}`);
  }
  const seller = createSeller({
    rootKeys: loadRootKeys(MARKET_PROVIDERS.map((p) => p.id), opts.dataDir),
    invoicerFor: opts.invoicerFor,
    nowMs,
  });
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, logger: false });
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  /** Waits `ms`; false when the market started closing meanwhile (the caller answers 503). */
  const pause = async (ms: number): Promise<boolean> => {
    try {
      await sleep(ms, undefined, { signal: closing.signal });
      return true;
    } catch {
      return false;
    }
  };
  const sendClosing = (reply: FastifyReply) => reply.status(503).send({ error: { code: 'shutting_down', message: 'market is closing' } });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    void reply.status(status).send({
      error: { code: status < 500 ? 'invalid_request' : 'internal', message: status < 500 ? error.message : 'internal error' },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
  });

  const desks = refundDesks(opts, pause);
  const manifest = buildManifest(
    SERVICES,
    (providerId) => opts.invoicerFor(providerId).pubkeyHex,
    (providerId) => (desks.has(providerId) ? refundPathFor(providerId) : undefined),
  );
  for (const [providerId, desk] of desks) {
    app.post(refundPathFor(providerId), async (request, reply) => {
      const answer = await desk.answer(request.body);
      return reply.status(answer.status).header('cache-control', 'no-store').send(answer.body);
    });
  }
  app.get('/.well-known/l402.json', async () => manifest);
  const usdAt = opts.btcUsd ?? btcUsdAt;
  // Free, like an exchange's public ticker: the app's rate feed in sandbox mode (see spotPrice).
  app.get(SPOT_PRICE_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').send(spotPrice({ nowMs: nowMs(), usdAt })));
  app.post(QUOTE_PATH, async (request, reply) => {
    const outcome = quote(request.body, { services: SERVICES, seller, nowMs: nowMs() });
    return reply.status(outcome.status).header('cache-control', 'no-store').send(outcome.body);
  });

  for (const service of SERVICES) {
    const processingMs = opts.processingDelayMs?.[service.name] ?? 0;
    const misbehaviour = opts.misbehaviours?.[service.name];
    let challenges = 0;
    const challengeFor = (terms: SaleTerms) =>
      seller.challenge(terms, misbehaviour === 'drift' ? { invoice: { amountMsat: terms.priceMsat + driftMsat(challenges++) } } : {});
    app.route({
      method: service.method,
      url: service.path,
      handler: async (request, reply) => {
        // Validate before anything else: an invalid request must never mint an invoice.
        const parsed = service.parse(service.method === 'GET' ? request.query : request.body);
        if (!parsed.ok) return sendInvalidInput(reply, parsed.issues);
        const { usage, respond } = parsed.request;
        const terms = termsFor(service, usage, nowMs());
        const credential = parseAuthorization(request.headers.authorization);
        if (!credential) return sendChallenge(reply, challengeFor(terms));
        const check = seller.check({ providerId: service.providerId, service: service.name, credential, usage });
        if (!check.ok) return sendChallenge(reply, challengeFor(terms), check.reason);
        if (processingMs > 0 && !(await pause(processingMs))) return sendClosing(reply);
        reply.header('cache-control', 'no-store');
        return sendPaidAnswer(reply, misbehaviour, () => respond(nowMs(), usdAt));
      },
    });
  }

  const slowResponseMs = opts.slowResponseMs ?? DEFAULT_SLOW_RESPONSE_MS;
  for (const endpoint of MISBEHAVING_ENDPOINTS) {
    const terms: Omit<SaleTerms, 'usage'> = {
      providerId: MISBEHAVING_PROVIDER_ID,
      providerName: providerName(MISBEHAVING_PROVIDER_ID),
      service: `misbehaving-${endpoint.name}`,
      description: endpoint.description,
      priceMsat: MISBEHAVING_PRICE_MSAT,
      validitySec: 3600,
    };
    const challengeFor = (misbehaviour: Misbehaviour) => seller.challenge({ ...terms, usage: {} }, misbehaviour);
    app.get(endpoint.path, async (request, reply) => {
      const credential = parseAuthorization(request.headers.authorization);
      const fresh = () => challengeFor(endpoint.challenge(Math.floor(nowMs() / 1000)));
      if (!credential) return sendChallenge(reply, fresh());
      const check = seller.check({ providerId: terms.providerId, service: terms.service, credential, usage: {} });
      if (!check.ok) return sendChallenge(reply, fresh(), check.reason);
      const content = { endpoint: endpoint.name, message: 'You paid for this, and here it is.' };
      switch (endpoint.afterPayment) {
        case 'content':
          return reply.send(content);
        case 'challenge_again':
          return sendChallenge(reply, challengeFor({}));
        case 'server_error':
          return reply.status(500).send({ error: { code: 'internal', message: 'backend failure after payment' } });
        case 'slow_content':
          return (await pause(slowResponseMs)) ? reply.send(content) : sendClosing(reply);
      }
    });
  }

  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('market is not listening on a TCP port');
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    providers: MARKET_PROVIDERS.map((p) => ({ ...p })),
    close: () => app.close(),
  };
}

/** One refund desk per provider that has a refund behaviour (the catalog's, or the test's override). */
function refundDesks(opts: StartMarketOptions, pause: (ms: number) => Promise<boolean>): Map<string, RefundDesk> {
  const desks = new Map<string, RefundDesk>();
  const refunderFor = opts.refunderFor;
  if (!refunderFor) return desks;
  const unknown = Object.keys(opts.refundBehaviours ?? {}).filter((id) => !MARKET_PROVIDERS.some((p) => p.id === id));
  if (unknown.length > 0) throw new Error(`refundBehaviours names no provider of the market: ${unknown.join(', ')}`);
  for (const provider of MARKET_PROVIDERS) {
    const behaviour = opts.refundBehaviours?.[provider.id] ?? provider.refunds ?? 'none';
    if (behaviour === 'none') continue;
    desks.set(provider.id, createRefundDesk({ providerName: provider.name, behaviour, refunder: refunderFor(provider.id), slowRefundMs: opts.slowRefundMs ?? DEFAULT_SLOW_REFUND_MS, pause }));
  }
  return desks;
}

function termsFor(service: Service, usage: Record<string, number>, nowMs: number): SaleTerms {
  return {
    providerId: service.providerId,
    providerName: providerName(service.providerId),
    service: service.name,
    description: service.description,
    priceMsat: service.priceMsat(usage, nowMs),
    usage,
    validitySec: service.validitySec,
  };
}

/** What a paid call gets: the content, or the service's configured way of failing after payment. */
function sendPaidAnswer(reply: FastifyReply, misbehaviour: CatalogMisbehaviour | undefined, content: () => unknown) {
  switch (misbehaviour) {
    case 'paid-500':
      return reply.status(500).send({ error: { code: 'internal', message: 'backend failure after payment' } });
    case 'paid-empty':
      return reply.status(200).type('application/json').send('');
    case 'paid-garbage':
      return reply.status(200).type('application/json').send('{"result": <<not json>>');
    default:
      return reply.send(content());
  }
}

function sendInvalidInput(reply: FastifyReply, issues: z.core.$ZodIssue[]) {
  return reply.status(400).send({
    error: {
      code: 'invalid_input',
      message: issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; '),
      issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

function sendChallenge(reply: FastifyReply, challenge: Challenge, rejected?: TokenRejection) {
  return reply
    .status(402)
    .header('www-authenticate', challenge.wwwAuthenticate)
    .header('cache-control', 'no-store')
    .send(rejected ? { ...challenge.body, token_rejected: rejected } : challenge.body);
}
