import { fetchWithL402 } from '@getalby/lightning-tools/402/l402';
import bolt11 from 'bolt11';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MARKET_PROVIDERS, SERVICES, startMarket } from './index';
import type { RunningMarket } from './index';
import { DRIFT_STEPS, MISBEHAVING_PRICE_MSAT, OVERPRICE_FACTOR, driftMsat } from './misbehaving';
import type { CatalogMisbehaviour } from './misbehaving';
import { SAMPLE_INPUTS } from './sample-inputs';
import { createTestInvoicer } from './test-invoicer';
import type { TestInvoicer } from './test-invoicer';
import { decodeIdentifier } from './token';
import { importMacaroons } from 'macaroon';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
const START_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

/** Each service's shared sample input, as a query for GET and a JSON body for POST. */
const SAMPLE: Record<string, { query?: Record<string, string>; body?: unknown }> = Object.fromEntries(
  SERVICES.map((service) => {
    const input = SAMPLE_INPUTS[service.name];
    if (!input) throw new Error(`no sample input for ${service.name}`);
    const query = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, String(value)]));
    return [service.name, service.method === 'GET' ? { query } : { body: input }];
  }),
);

/** The fields these tests read from market responses (402 bodies, quotes, errors, content). */
interface Body {
  [key: string]: unknown;
  invoice: string;
  macaroon: string;
  provider: { id: string };
  constraints: Record<string, number>;
  price_msat: number;
  quote_expiry: number;
  token_rejected?: string;
  error: { code: string; message: string };
}

let clockMs = START_MS;
const now = () => clockMs;
let invoicers: Map<string, TestInvoicer>;
let market: RunningMarket;

function serviceNamed(name: string) {
  const service = SERVICES.find((s) => s.name === name);
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

async function call(
  method: string,
  path: string,
  opts: { query?: Record<string, string>; body?: unknown; authorization?: string } = {},
) {
  const url = new URL(path, market.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  if (opts.authorization) headers['authorization'] = opts.authorization;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const json = (await res.json()) as Body;
  return { status: res.status, json, headers: res.headers };
}

function callService(name: string, authorization?: string, input = SAMPLE[name]) {
  const service = serviceNamed(name);
  return call(service.method, service.path, { ...input, authorization });
}

/** "Pays" the invoice: the test invoicer of the provider that minted it reveals the preimage. */
function pay(invoice: string, providerId: string): string {
  const decoded = bolt11.decode(invoice, invoice.startsWith('lnbcrt') ? REGTEST : undefined);
  const hash = decoded.tagsObject.payment_hash;
  if (!hash) throw new Error('invoice without payment hash');
  const invoicer = invoicers.get(providerId);
  if (!invoicer) throw new Error(`no invoicer for ${providerId}`);
  return invoicer.preimageFor(hash);
}

function macaroonHashHex(macaroonBase64: string): string | undefined {
  const mac = importMacaroons(macaroonBase64)[0];
  return mac ? decodeIdentifier(mac.identifier)?.paymentHashHex : undefined;
}

function invoiceCount() {
  return [...invoicers.values()].reduce((n, inv) => n + inv.requests.length, 0);
}

/** Raw header lines, which fetch would fold into one. */
function rawHeaderValues(path: string, name: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, market.url), (res) => {
      res.resume();
      const values: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        if (res.rawHeaders[i]?.toLowerCase() === name) values.push(res.rawHeaders[i + 1] ?? '');
      }
      resolve(values);
    });
    req.on('error', reject);
    req.end();
  });
}

async function buyToken(name: string, input = SAMPLE[name]) {
  const first = await callService(name, undefined, input);
  expect(first.status).toBe(402);
  const preimage = pay(first.json['invoice'], first.json['provider'].id);
  return { macaroon: first.json['macaroon'] as string, preimage, challenge: first.json };
}

async function start(dataDir?: string, extra: { processingDelayMs?: Record<string, number>; misbehaviours?: Record<string, CatalogMisbehaviour> } = {}) {
  return startMarket({
    ...extra,
    host: '127.0.0.1',
    port: 0,
    now,
    invoicerFor: (id) => {
      const invoicer = invoicers.get(id);
      if (!invoicer) throw new Error(`unknown provider ${id}`);
      return invoicer;
    },
    slowResponseMs: 300,
    ...(dataDir ? { dataDir } : {}),
  });
}

beforeAll(async () => {
  invoicers = new Map(MARKET_PROVIDERS.map((p) => [p.id, createTestInvoicer(now)]));
  market = await start();
});
afterAll(async () => market.close());
beforeEach(() => {
  clockMs = START_MS;
});

// The manifest shape from lightninglabs/L402 agent-spec.md, plus our per-resource extensions.
const Pricing = z.discriminatedUnion('model', [
  z.object({ model: z.literal('fixed'), price_msat: z.number().int().positive() }),
  z.object({
    model: z.literal('formula'),
    base_msat: z.number().int().nonnegative(),
    components: z.array(z.object({ constraint: z.string(), price_msat_per_unit: z.number().int().positive(), unit: z.number().int().positive() })).min(1),
  }),
  z.object({ model: z.literal('dynamic') }),
]);
const Manifest = z.object({
  version: z.string(),
  provider: z.object({ name: z.string() }),
  currencies: z.array(z.literal('msat')).min(1),
  quote_endpoint: z.string().startsWith('/'),
  services: z.array(
    z.object({
      name: z.string(),
      provider: z.object({ id: z.string(), name: z.string() }),
      tags: z.array(z.string().min(1)).min(1),
      examples: z.array(z.string().min(1)).min(1),
      tiers: z.array(z.object({ tier: z.number().int() })).min(1),
      capabilities: z.array(z.string()),
      resources: z.array(
        z.object({
          path: z.string().startsWith('/'),
          method: z.enum(['GET', 'POST']),
          pricing: Pricing,
          description: z.string().min(10),
          input_schema: z.object({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()) }),
          output_schema: z.object({ type: z.literal('object'), properties: z.record(z.string(), z.record(z.string(), z.unknown())) }),
          output_text_field: z.string().optional(),
          constraints: z.record(z.string(), z.object({ type: z.literal('integer'), max: z.number() })).optional(),
        }),
      ).min(1),
    }),
  ),
  caveats: z.record(z.string(), z.object({ type: z.string() })),
});

describe('discovery', () => {
  it('serves a manifest in the agent-spec shape with several providers and prices from 1 to 5,000 sats', async () => {
    const { status, json } = await call('GET', '/.well-known/l402.json');
    expect(status).toBe(200);
    const manifest = Manifest.parse(json);
    expect(manifest.services.length).toBeGreaterThanOrEqual(8);
    expect(new Set(manifest.services.map((s) => s.provider.id)).size).toBeGreaterThanOrEqual(4);
    const fixed = manifest.services.flatMap((s) => s.resources.map((r) => r.pricing)).flatMap((p) => (p.model === 'fixed' ? [p.price_msat] : []));
    expect(Math.min(...fixed)).toBe(1_000);
    expect(Math.max(...fixed)).toBe(5_000_000);
    const models = new Set(manifest.services.map((s) => s.resources[0]?.pricing.model));
    expect(models).toEqual(new Set(['fixed', 'formula', 'dynamic']));
    expect(JSON.stringify(json)).not.toContain('misbehaving');
    expect(manifest.caveats['services']).toBeDefined();
  });

  it('publishes a JSON Schema of each input that matches what the endpoint accepts', async () => {
    const { json } = await call('GET', '/.well-known/l402.json');
    Manifest.parse(json);
    const weather = (json['services'] as Array<{ name: string; resources: unknown[] }>).find((s) => s.name === 'weather');
    expect(weather?.resources[0]).toMatchObject({
      input_in: 'query',
      input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    });
  });

  it("publishes each service's tags, examples, output schema and, where there is one, its output's main text field", async () => {
    const { json } = await call('GET', '/.well-known/l402.json');
    const manifest = Manifest.parse(json);
    // Compare with the raw document: parsing strips what the test schema does not name.
    const raw = json['services'] as Array<{ resources: Array<{ output_schema: unknown }> }>;
    manifest.services.forEach((published, index) => {
      const service = serviceNamed(published.name);
      expect(published).toMatchObject({ tags: service.tags, examples: service.examples });
      expect(raw[index]?.resources[0]?.output_schema).toEqual(service.outputJsonSchema);
      const [resource] = published.resources;
      const textField = resource?.output_text_field;
      if (textField !== undefined) expect(resource?.output_schema.properties[textField]).toMatchObject({ type: 'string' });
    });
    const textFields = manifest.services.flatMap((s) => s.resources.map((r) => [s.name, r.output_text_field]));
    expect(textFields.filter(([, field]) => field !== undefined)).toEqual([
      ['market-report', 'summary'],
      ['summarise', 'summary'],
      ['translate', 'translation'],
    ]);
  });
});

describe('L402 challenge, payment and reuse', () => {
  it.each(Object.keys(SAMPLE))('%s: 402 with both dialects and a JSON body, then content once paid', async (name) => {
    const service = serviceNamed(name);
    const challenge = await callService(name);
    expect(challenge.status).toBe(402);
    expect(challenge.json).toMatchObject({ service: name, description: service.description, provider: { id: service.providerId } });
    const priceMsat = challenge.json['price_msat'] as number;
    expect(priceMsat).toBe(service.priceMsat(challenge.json['constraints'], clockMs));

    const invoice = bolt11.decode(challenge.json['invoice'], REGTEST);
    expect(invoice.millisatoshis).toBe(String(priceMsat));
    expect(macaroonHashHex(challenge.json['macaroon'])).toBe(invoice.tagsObject.payment_hash);
    const header = challenge.headers.get('www-authenticate') ?? '';
    expect(header).toContain(`LSAT macaroon="${challenge.json['macaroon']}", invoice="${challenge.json['invoice']}"`);
    expect(header).toContain(`L402 macaroon="${challenge.json['macaroon']}", invoice="${challenge.json['invoice']}"`);

    const preimage = pay(challenge.json['invoice'], service.providerId);
    const paid = await callService(name, `L402 ${challenge.json['macaroon']}:${preimage}`);
    expect(paid.status).toBe(200);
    // The published output schema (no extra properties allowed) describes exactly what was delivered.
    expect(z.fromJSONSchema(service.outputJsonSchema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(paid.json).error).toBeUndefined();
    if (service.outputTextField) expect(paid.json[service.outputTextField]).toEqual(expect.stringMatching(/\S/));
  });

  it('sends the two challenges as separate WWW-Authenticate lines, LSAT first', async () => {
    const values = await rawHeaderValues('/v1/joke', 'www-authenticate');
    expect(values).toHaveLength(2);
    expect(values[0]).toMatch(/^LSAT macaroon="[A-Za-z0-9+/=]+", invoice="lnbcrt10n1/);
    expect(values[1]).toMatch(/^L402 macaroon="[A-Za-z0-9+/=]+", invoice="lnbcrt10n1/);
  });

  it('reuses a valid token without minting a new invoice, in any accepted credential form', async () => {
    const { macaroon, preimage } = await buyToken('btc-price');
    const minted = invoiceCount();
    const base64url = macaroon.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    for (const authorization of [
      `L402 ${macaroon}:${preimage}`,
      `LSAT ${macaroon}:${preimage}`,
      `l402 ${base64url}:${preimage}`,
      `L402 version="0", token="${macaroon}", preimage="${preimage}"`,
    ]) {
      const res = await callService('btc-price', authorization, { query: { currency: 'GBP' } });
      expect(res.status, authorization.slice(0, 12)).toBe(200);
      expect(res.json['pair']).toBe('BTC/GBP');
    }
    expect(invoiceCount()).toBe(minted);
  });

  it('refuses the token once its valid_until has passed, with a fresh challenge', async () => {
    const { macaroon, preimage } = await buyToken('btc-price');
    clockMs += 599_000;
    expect((await callService('btc-price', `L402 ${macaroon}:${preimage}`)).status).toBe(200);
    clockMs += 2_000;
    const expired = await callService('btc-price', `L402 ${macaroon}:${preimage}`);
    expect(expired.status).toBe(402);
    expect(expired.json['token_rejected']).toBe('expired');
    expect(expired.json['macaroon']).not.toBe(macaroon);
  });

  it('refuses tampered macaroons, wrong preimages and tokens for another service', async () => {
    const { macaroon, preimage } = await buyToken('btc-price');
    // Stretch the expiry caveat by editing its digits in place: the signature no longer matches.
    const bytes = Buffer.from(macaroon, 'base64');
    const validUntil = `btc-price_valid_until=${START_MS / 1000 + 600}`;
    const at = bytes.indexOf(validUntil);
    expect(at).toBeGreaterThan(0);
    bytes.write(`btc-price_valid_until=${START_MS / 1000 + 999}`, at);
    const tampered = bytes.toString('base64');
    const cases: Array<[string, string, string]> = [
      ['btc-price', `L402 ${tampered}:${preimage}`, 'bad_signature'],
      ['btc-price', `L402 AAAA${macaroon.slice(4)}:${preimage}`, 'malformed_macaroon|unknown_identifier_version|bad_signature'],
      ['btc-price', `L402 ${macaroon}:${'0'.repeat(64)}`, 'preimage_mismatch'],
      ['fee-estimate', `L402 ${macaroon}:${preimage}`, 'wrong_service'],
      ['joke', `L402 ${macaroon}:${preimage}`, 'bad_signature'],
    ];
    for (const [service, authorization, reason] of cases) {
      const res = await callService(service, authorization);
      expect(res.status).toBe(402);
      expect(res.json['token_rejected']).toMatch(new RegExp(`^(${reason})$`));
    }
    // Uppercase hex is not the credential syntax (Aperture): treated as no credential at all.
    const upper = await callService('btc-price', `L402 ${macaroon}:${preimage.toUpperCase()}`);
    expect(upper.status).toBe(402);
    expect(upper.json['token_rejected']).toBeUndefined();
  });

  it('rejects invalid input with 400 before minting any invoice', async () => {
    const minted = invoiceCount();
    const cases = [
      callService('weather', undefined, { query: { date: '2025-07-01' } }),
      callService('weather', undefined, { query: { city: 'Paris', date: '2025-13-45' } }),
      callService('joke', undefined, { query: { topic: 'cats' } }),
      callService('sentiment', undefined, { body: { text: '' } }),
      callService('translate', undefined, { body: { text: 'hello', to: 'xx' } }),
      callService('headlines', undefined, { query: { count: '99' } }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBe(400);
      expect(res.json['error'].code).toBe('invalid_input');
      expect(res.json['error'].message.length).toBeGreaterThan(5);
    }
    const noBody = await call('POST', '/v1/text/sentiment');
    expect(noBody.status).toBe(400);
    expect(invoiceCount()).toBe(minted);
  });

  it('bounds the request body size', async () => {
    const res = await call('POST', '/v1/text/sentiment', { body: { text: 'x'.repeat(70_000) } });
    expect(res.status).toBe(413);
  });
});

describe('standard clients', () => {
  it('works with fetchWithL402 from @getalby/lightning-tools, which reads the folded challenge header', async () => {
    const paid: string[] = [];
    const wallet = {
      payInvoice: async ({ invoice }: { invoice: string }) => {
        paid.push(invoice);
        return { preimage: pay(invoice, 'skycast') };
      },
    };
    const url = new URL('/v1/weather?city=Reykjavik&date=2025-02-01', market.url).toString();
    const res = await fetchWithL402(url, {}, { wallet });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ city: 'Reykjavik', date: '2025-02-01' });
    expect(paid).toHaveLength(1);
  });
});

describe('summarise (formula pricing)', () => {
  it('prices by input length and honours the token only up to the length paid for', async () => {
    const text = 'Sats are small. '.repeat(30); // 480 chars
    const { macaroon, preimage, challenge } = await buyToken('summarise', { body: { text } });
    expect(challenge['price_msat']).toBe(10_000 + 5 * 1_000);
    expect(challenge['constraints']).toEqual({ summarise_input_chars: 480 });
    const auth = `L402 ${macaroon}:${preimage}`;
    expect((await callService('summarise', auth, { body: { text: text.slice(0, 200), sentences: 1 } })).status).toBe(200);
    const longer = await callService('summarise', auth, { body: { text: `${text}More text.` } });
    expect(longer.status).toBe(402);
    expect(longer.json['token_rejected']).toBe('constraint_exceeded');
  });
});

describe('POST /l402/quote', () => {
  it('returns a payable quote for the dynamic service whose macaroon hash matches its invoice', async () => {
    const res = await call('POST', '/l402/quote', { body: { service: 'translate', constraints: { translate_words: 20 } } });
    expect(res.status).toBe(200);
    const invoice = bolt11.decode(res.json['invoice'], REGTEST);
    expect(invoice.millisatoshis).toBe(String(res.json['price_msat']));
    expect(macaroonHashHex(res.json['macaroon'])).toBe(invoice.tagsObject.payment_hash);
    expect(res.json['quote_expiry']).toBe(START_MS / 1000 + 600);
    expect((invoice.timeExpireDate ?? 0)).toBe(res.json['quote_expiry']);

    const preimage = pay(res.json['invoice'], 'wordsmith');
    const paid = await callService('translate', `L402 ${res.json['macaroon']}:${preimage}`, {
      body: { text: 'Good morning my friend', to: 'fr' },
    });
    expect(paid.status).toBe(200);
    expect(paid.json['translation']).toBe('Bon matin mon ami');
  });

  it('prices dynamically: busier hours cost more for the same bundle', async () => {
    const body = { service: 'translate', constraints: { translate_words: 100 } };
    clockMs = Date.UTC(2025, 0, 15, 3);
    const quiet = (await call('POST', '/l402/quote', { body })).json['price_msat'] as number;
    clockMs = Date.UTC(2025, 0, 15, 12);
    const busy = (await call('POST', '/l402/quote', { body })).json['price_msat'] as number;
    expect(busy).toBeGreaterThan(quiet);
  });

  it('answers errors in the agent-spec shape', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ service: 'nope' }, 404, 'unknown_service'],
      [{ service: 'translate' }, 400, 'constraint_out_of_bounds'],
      [{ service: 'translate', constraints: { translate_words: 5_000 } }, 400, 'constraint_out_of_bounds'],
      [{ service: 'translate', constraints: { translate_words: 100 }, max_price_msat: 1_000 }, 400, 'unsatisfiable_budget'],
      [{ service: 'translate', tier: 1, constraints: { translate_words: 1 } }, 400, 'unknown_tier'],
      [{ constraints: {} }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call('POST', '/l402/quote', { body });
      expect(res.status).toBe(status);
      expect(res.json['error'].code).toBe(code);
    }
  });
});

describe('misbehaving endpoints', () => {
  async function challengeOf(name: string) {
    const res = await call('GET', `/misbehaving/${name}`);
    expect(res.status).toBe(402);
    expect(res.json['price_msat']).toBe(MISBEHAVING_PRICE_MSAT);
    return res.json;
  }

  it('amountless-invoice: the invoice carries no amount', async () => {
    const body = await challengeOf('amountless-invoice');
    expect(bolt11.decode(body['invoice'], REGTEST).millisatoshis).toBeNull();
  });

  it('hash-mismatch: the macaroon commits to another payment hash, so paying unlocks nothing', async () => {
    const body = await challengeOf('hash-mismatch');
    const invoiceHash = bolt11.decode(body['invoice'], REGTEST).tagsObject.payment_hash;
    expect(macaroonHashHex(body['macaroon'])).not.toBe(invoiceHash);
    const preimage = pay(body['invoice'], 'rogue-labs');
    const retry = await call('GET', '/misbehaving/hash-mismatch', { authorization: `L402 ${body['macaroon']}:${preimage}` });
    expect(retry.status).toBe(402);
    expect(retry.json['token_rejected']).toBe('preimage_mismatch');
  });

  it('overpriced-invoice: the invoice asks more than the advertised price', async () => {
    const body = await challengeOf('overpriced-invoice');
    expect(bolt11.decode(body['invoice'], REGTEST).millisatoshis).toBe(String(MISBEHAVING_PRICE_MSAT * OVERPRICE_FACTOR));
  });

  it('expired-invoice: the invoice is already expired when sent', async () => {
    const body = await challengeOf('expired-invoice');
    expect(bolt11.decode(body['invoice'], REGTEST).timeExpireDate ?? Infinity).toBeLessThan(clockMs / 1000);
  });

  it('mainnet-invoice: the invoice is for mainnet', async () => {
    const body = await challengeOf('mainnet-invoice');
    expect(body['invoice']).toMatch(/^lnbc1/);
    expect(bolt11.decode(body['invoice']).network?.bech32).toBe('bc');
  });

  async function paidCall(name: string) {
    const body = await challengeOf(name);
    const preimage = pay(body['invoice'], 'rogue-labs');
    const started = Date.now();
    const res = await call('GET', `/misbehaving/${name}`, { authorization: `L402 ${body['macaroon']}:${preimage}` });
    return { ...res, elapsedMs: Date.now() - started };
  }

  it('paid-402: a valid token gets a fresh 402', async () => {
    const res = await paidCall('paid-402');
    expect(res.status).toBe(402);
    expect(res.headers.get('www-authenticate')).toContain('L402 macaroon=');
  });

  it('paid-500: a valid token gets 500', async () => {
    expect((await paidCall('paid-500')).status).toBe(500);
  });

  it('slow: a valid token gets content only after the configured delay', async () => {
    const res = await paidCall('slow');
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(290);
  });

  it('the invoice-faulty endpoints still serve content to a valid token', async () => {
    const res = await paidCall('overpriced-invoice');
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(290);
  });
});

describe('processing delay', () => {
  it('makes the chosen service take its time after payment, and only after payment', async () => {
    const slowMarket = await start(undefined, { processingDelayMs: { joke: 300 } });
    const timed = async (path: string, authorization?: string) => {
      const started = Date.now();
      const res = await fetch(new URL(path, slowMarket.url), { headers: authorization ? { authorization } : {} });
      return { status: res.status, json: (await res.json()) as Body, elapsedMs: Date.now() - started };
    };
    try {
      const challenge = await timed('/v1/joke?topic=lightning');
      expect(challenge.status).toBe(402);
      expect(challenge.elapsedMs).toBeLessThan(290); // the 402 comes at once: nothing to process yet
      const token = `L402 ${challenge.json['macaroon']}:${pay(challenge.json['invoice'], 'satoshi-jokes')}`;
      const paid = await timed('/v1/joke?topic=lightning', token);
      expect(paid.status).toBe(200);
      expect(paid.elapsedMs).toBeGreaterThanOrEqual(290);

      // Other services are not slowed.
      const fees = await timed('/v1/btc/fees');
      const feesToken = `L402 ${fees.json['macaroon']}:${pay(fees.json['invoice'], 'block-data')}`;
      const feesPaid = await timed('/v1/btc/fees', feesToken);
      expect(feesPaid.status).toBe(200);
      expect(feesPaid.elapsedMs).toBeLessThan(290);

      // A paid call still processing when the market closes is answered 503, not left hanging.
      const closingCall = timed('/v1/joke?topic=lightning', token);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await slowMarket.close();
      expect((await closingCall).status).toBe(503);
    } finally {
      await slowMarket.close();
    }
  });

  it('refuses a delay for a service it does not sell', async () => {
    await expect(start(undefined, { processingDelayMs: { summarize: 100 } })).rejects.toThrow(/names no service of the market: summarize/);
  });
});

describe('misbehaving catalog services (opt-in)', () => {
  const misbehaving = async <T>(misbehaviours: Record<string, CatalogMisbehaviour>, body: (url: string) => Promise<T>) => {
    const started = await start(undefined, { misbehaviours });
    try {
      return await body(started.url);
    } finally {
      await started.close();
    }
  };
  const get = async (url: string, path: string, authorization?: string) => {
    const res = await fetch(new URL(path, url), { headers: authorization ? { authorization } : {} });
    return { status: res.status, text: await res.text() };
  };
  const paidCall = async (url: string, path: string, providerId: string) => {
    const challenge = JSON.parse((await get(url, path)).text) as Body;
    return get(url, path, `L402 ${challenge['macaroon']}:${pay(challenge['invoice'], providerId)}`);
  };
  const invoiceMsat = (text: string) => Number(bolt11.decode((JSON.parse(text) as Body)['invoice'], REGTEST).millisatoshis);

  it('drift: invoices ask a few sats above the published price, changing from one challenge to the next', async () => {
    const amounts = await misbehaving({ weather: 'drift' }, async (url) => {
      const seen: number[] = [];
      for (let i = 0; i < DRIFT_STEPS + 1; i++) seen.push(invoiceMsat((await get(url, '/v1/weather?city=Paris')).text));
      return seen;
    });
    expect(amounts).toEqual([50_000, 51_000, 52_000, 53_000, 54_000, 50_000]);
    expect(driftMsat(DRIFT_STEPS + 2)).toBe(2_000);
  });

  it('paid-500, paid-empty and paid-garbage fail only after payment; other services stay honest', async () => {
    await misbehaving({ headlines: 'paid-500', 'fee-estimate': 'paid-empty', joke: 'paid-garbage' }, async (url) => {
      expect((await paidCall(url, '/v1/headlines?topic=bitcoin&count=2', 'daily-ledger')).status).toBe(500);
      expect(await paidCall(url, '/v1/btc/fees', 'block-data')).toEqual({ status: 200, text: '' });
      const garbage = await paidCall(url, '/v1/joke?topic=lightning', 'satoshi-jokes');
      expect(garbage.status).toBe(200);
      expect(() => JSON.parse(garbage.text)).toThrow();
      const price = await paidCall(url, '/v1/btc/price?currency=USD', 'block-data');
      expect(price.status).toBe(200);
      expect(JSON.parse(price.text)).toHaveProperty('pair', 'BTC/USD');
      expect(invoiceMsat((await get(url, '/v1/btc/price')).text)).toBe(10_000);
    });
  });

  it('refuses a misbehaviour for a service it does not sell', async () => {
    await expect(start(undefined, { misbehaviours: { weathr: 'drift' } })).rejects.toThrow(/misbehaviours names no service of the market: weathr/);
  });
});

describe('persistence', () => {
  it('keeps root keys in the data dir (0600) so tokens survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'market-'));
    try {
      const first = await start(dir);
      const challenge = await fetch(new URL('/v1/joke', first.url)).then((r) => r.json() as Promise<Body>);
      await first.close();
      expect(statSync(join(dir, 'market-root-keys.json')).mode & 0o777).toBe(0o600);
      const second = await start(dir);
      try {
        const preimage = pay(challenge['invoice'], 'satoshi-jokes');
        const res = await fetch(new URL('/v1/joke', second.url), {
          headers: { authorization: `L402 ${challenge['macaroon']}:${preimage}` },
        });
        expect(res.status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
