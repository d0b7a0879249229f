/**
 * The L402 rail against the sandbox market: manifest prices match the invoices of honest services,
 * a dynamic price comes from the quote endpoint, each misbehaving endpoint is refused by the gate
 * with its own reason, and a verified challenge paid over NWC unlocks the resource.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msat } from '../../shared/money';
import { preimageMatchesPaymentHash } from '../domain/ports/wallet';
import { createGuardedFetch } from '../rails/http/guarded-fetch';
import { verifyChallenge } from '../rails/l402/gate';
import { decodeInvoice } from '../rails/l402/invoice';
import { fetchManifest, localPrice, requestQuote } from '../rails/l402/manifest';
import type { L402Manifest } from '../rails/l402/manifest';
import { fetchWithL402Credential, probe } from '../rails/l402/probe';
import type { ProbeRequest } from '../rails/l402/probe';
import { openNwcWallet } from '../rails/nwc/nwc-wallet';
import type { NwcWallet } from '../rails/nwc/nwc-wallet';
import { LightningNetwork } from '../sandbox/lightning';
import { MARKET_PROVIDERS, startMarket } from '../sandbox/market';
import type { RunningMarket } from '../sandbox/market';
import { MISBEHAVING_PRICE_MSAT } from '../sandbox/market/misbehaving';
import { startRelay } from '../sandbox/relay/relay';
import type { RunningRelay } from '../sandbox/relay/relay';
import { SandboxWallets } from '../sandbox/wallets';

const SUMMARY_TEXT = 'Bitcoin fees rose today. '.repeat(20); // 500 characters

/** A real request for each catalogued resource, and the usage it consumes. */
const REQUESTS: Record<string, { request: ProbeRequest; query?: string; usage?: Record<string, number> }> = {
  joke: { request: { method: 'GET' }, query: '?topic=bitcoin' },
  'btc-price': { request: { method: 'GET' }, query: '?currency=USD' },
  'fee-estimate': { request: { method: 'GET' } },
  'market-report': { request: { method: 'GET' }, query: '?period=week' },
  sentiment: { request: json({ text: 'I love this' }) },
  summarise: { request: json({ text: SUMMARY_TEXT }), usage: { summarise_input_chars: SUMMARY_TEXT.length } },
  translate: { request: json({ text: 'hello big world', to: 'es' }), usage: { translate_words: 3 } },
  weather: { request: { method: 'GET' }, query: '?city=London' },
  'city-weather': { request: { method: 'GET' }, query: '?city=Berlin' },
  headlines: { request: { method: 'GET' }, query: '?topic=bitcoin' },
};

function json(body: unknown): ProbeRequest {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('L402 rail against the sandbox market', () => {
  let dir: string;
  let db: Database.Database;
  let relay: RunningRelay;
  let wallets: SandboxWallets;
  let market: RunningMarket;
  let manifest: L402Manifest;
  let guest: NwcWallet;
  const fetcher = () => createGuardedFetch({ allowedOrigins: [market.url], timeoutMs: 5_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-rails-l402-'));
    db = new Database(join(dir, 'sandbox.db'));
    const network = new LightningNetwork(db);
    network.ensureNode('guest', { initialBalanceMsat: 100_000_000 });
    for (const provider of MARKET_PROVIDERS) network.ensureNode(`provider:${provider.id}`);
    relay = await startRelay();
    wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
    market = await startMarket({
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'market'),
      invoicerFor: (providerId) => {
        const node = network.node(`provider:${providerId}`);
        if (!node) throw new Error(`no node for ${providerId}`);
        return node;
      },
    });
    const opened = openNwcWallet(await wallets.connect('guest', 'guest'));
    if (!opened.ok) throw new Error(opened.reason);
    guest = opened.wallet;
    const fetched = await fetchManifest(market.url, fetcher());
    if (!fetched.ok) throw new Error(`manifest: ${fetched.reason} ${fetched.detail}`);
    manifest = fetched.manifest;
  });
  afterAll(async () => {
    guest.close();
    wallets.close();
    await market.close();
    await relay.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the manifest lists every catalogued service with a resource', () => {
    expect(manifest.services.map((s) => s.name).sort()).toEqual(Object.keys(REQUESTS).sort());
    expect(manifest.quote_endpoint).toBe('/l402/quote');
  });

  it('fixed and formula prices computed from the manifest equal the invoice amounts of the 402s', async () => {
    let compared = 0;
    for (const service of manifest.services) {
      const resource = service.resources[0];
      const spec = REQUESTS[service.name];
      if (!resource || !spec) throw new Error(`no request for ${service.name}`);
      const price = localPrice(resource, spec.usage ?? {});
      if (price.kind === 'dynamic') continue;
      expect(price.kind).toBe('priced');
      const probed = await probe(`${market.url}${resource.path}${spec.query ?? ''}`, spec.request, fetcher());
      expect(probed.kind).toBe('challenge');
      if (probed.kind !== 'challenge' || !probed.decodedInvoice.ok || price.kind !== 'priced') continue;
      expect({ service: service.name, amountMsat: probed.decodedInvoice.invoice.amountMsat }).toEqual({
        service: service.name,
        amountMsat: price.priceMsat,
      });
      compared++;
    }
    expect(compared).toBe(9);
  });

  it('a dynamic price comes from the quote endpoint, as a challenge whose invoice says the same', async () => {
    const translate = manifest.services.find((s) => s.name === 'translate')?.resources[0];
    expect(translate && localPrice(translate, {})).toEqual({ kind: 'dynamic' });
    const quote = await requestQuote(market.url, manifest, { service: 'translate', constraints: { translate_words: 3 } }, fetcher());
    if (!quote.ok) throw new Error(`quote: ${quote.reason} ${quote.detail}`);
    const gate = verifyChallenge({
      challenge: quote.challenge,
      decodedInvoice: decodeInvoice(quote.challenge.invoice),
      walletNetwork: 'regtest',
      now: new Date(),
      maxAmountMsat: quote.priceMsat,
      expiryMarginSec: 60,
    });
    expect(gate).toMatchObject({ ok: true, invoice: { amountMsat: quote.priceMsat } });
    const refused = await requestQuote(market.url, manifest, { service: 'translate', constraints: { translate_words: 0 } }, fetcher());
    expect(refused).toMatchObject({ ok: false, reason: 'quote_refused', detail: expect.stringContaining('constraint_out_of_bounds') });
  });

  it.each([
    ['/misbehaving/amountless-invoice', 'amountless_invoice'],
    ['/misbehaving/hash-mismatch', 'payment_hash_mismatch'],
    ['/misbehaving/overpriced-invoice', 'amount_above_approved'],
    ['/misbehaving/expired-invoice', 'invoice_expired'],
    ['/misbehaving/mainnet-invoice', 'network_mismatch'],
  ])('the gate refuses %s with %s', async (path, reason) => {
    const probed = await probe(`${market.url}${path}`, { method: 'GET' }, fetcher());
    if (probed.kind !== 'challenge') throw new Error(`expected a challenge, got ${probed.kind}`);
    const gate = verifyChallenge({
      challenge: probed.challenge,
      decodedInvoice: probed.decodedInvoice,
      walletNetwork: 'regtest',
      now: new Date(),
      maxAmountMsat: msat(MISBEHAVING_PRICE_MSAT), // what the endpoint advertises
      expiryMarginSec: 60,
    });
    expect(gate).toEqual({ ok: false, reason });
  });

  it('probe, gate, pay over NWC, then the credential unlocks the resource', async () => {
    const url = `${market.url}/v1/joke?topic=bitcoin`;
    const probed = await probe(url, { method: 'GET' }, fetcher());
    if (probed.kind !== 'challenge') throw new Error(`expected a challenge, got ${probed.kind}`);
    const info = await guest.getInfo();
    if (!info.ok) throw new Error(`get_info: ${info.reason}`);
    const gate = verifyChallenge({
      challenge: probed.challenge,
      decodedInvoice: probed.decodedInvoice,
      walletNetwork: info.value.network,
      now: new Date(),
      maxAmountMsat: msat(1_000),
      expiryMarginSec: 60,
    });
    if (!gate.ok) throw new Error(`gate: ${gate.reason}`);
    const paid = await guest.payInvoice(probed.challenge.invoice);
    if (paid.status !== 'paid' || !paid.preimageHex) throw new Error(`pay: ${paid.status}`);
    expect(preimageMatchesPaymentHash(paid.preimageHex, gate.invoice.paymentHashHex)).toBe(true);

    const unlocked = await fetchWithL402Credential(url, { method: 'GET' }, { macaroon: probed.challenge.macaroon, preimageHex: paid.preimageHex }, fetcher());
    expect(unlocked).toMatchObject({ ok: true, response: { status: 200 } });
    const wrong = await fetchWithL402Credential(url, { method: 'GET' }, { macaroon: probed.challenge.macaroon, preimageHex: '00'.repeat(32) }, fetcher());
    expect(wrong).toMatchObject({ ok: true, response: { status: 402 } });
  });

  it('a probe that is refused by the guard reports it and sends nothing', async () => {
    const unguarded = await probe(`${market.url}/v1/joke`, { method: 'GET' }, createGuardedFetch());
    expect(unguarded).toMatchObject({ kind: 'fetch_failed', reason: 'blocked_address' });
  });
});
