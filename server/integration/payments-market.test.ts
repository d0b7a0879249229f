/**
 * The governed payment lifecycle against the real sandbox: relay, NIP-47 wallets, simulated Lightning
 * and the demo L402 market. Every good service is bought at exactly its price (plus the routing fee),
 * every misbehaving endpoint is refused before paying or marked "paid, not delivered" with its named
 * reason, and the ledger ends up mirroring the wallet to the millisatoshi.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, usdCents, type Msat } from '../../shared/money';
import { creditUserFunding, type PurchaseOutcome, type PurchaseRequest } from '../domain/payments';
import { testAuthorization } from '../domain/payments/test-fakes';
import { providerAccount } from '../domain/ledger';
import { MISBEHAVING_ENDPOINTS, SERVICES } from '../sandbox/market';
import { SAMPLE_INPUTS } from '../sandbox/market/sample-inputs';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';
import { openPaymentsHarness, type PaymentsHarness } from './payments-harness';

const USER = 'pay-market';
const FUNDS_MSAT = 50_000_000; // 50,000 sats: the wallet's funding, credited to the ledger too
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
const MISBEHAVING_PRICE_MSAT = 10_000;


describe('governed payments against the sandbox market', () => {
  let dataDir: string;
  let sandbox: RunningSandbox;
  let app: PaymentsHarness;
  let step = 0;
  /** What each paid step was expected to cost, by payment id, for the overpayment check. */
  const expectedMsat = new Map<string, number>();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-payments-market-'));
    sandbox = await startSandbox({ dataDir, ports: { relay: 0, market: 0, stripe: 0 } });
    const userNwcUrl = await sandbox.createUserWallet(USER, { initialBalanceMsat: FUNDS_MSAT });
    app = openPaymentsHarness({
      dbPath: join(dataDir, 'app.db'),
      marketUrl: sandbox.marketUrl,
      userNwcUrl,
      secretsKeyHex: randomBytes(32).toString('hex'),
      walletTimeouts: { payMs: 5_000, otherMs: 5_000 },
      fetchTimeoutMs: 1_000,
      paymentOptions: { deliveryBackoffMs: 20 },
    });
    expect(creditUserFunding(app.ledger, { userId: USER, amountMsat: msat(FUNDS_MSAT), idempotencyKey: 'sandbox-funding' }).ok).toBe(true);
  });
  afterAll(async () => {
    app.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function requestFor(name: string) {
    const service = SERVICES.find((s) => s.name === name);
    const input = SAMPLE_INPUTS[name];
    if (!service || !input) throw new Error(`no sample input for ${name}`);
    const url = new URL(service.path, sandbox.marketUrl);
    if (service.method === 'GET') {
      for (const [key, value] of Object.entries(input)) url.searchParams.set(key, String(value));
      return { service, request: { url: url.href, method: 'GET' } };
    }
    return {
      service,
      request: { url: url.href, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) },
    };
  }

  function purchase(fields: Pick<PurchaseRequest, 'service' | 'providerId' | 'request'> & { approvedMaxMsat: Msat }): Promise<PurchaseOutcome> {
    step++;
    const { approvedMaxMsat, ...rest } = fields;
    return app.service.purchase({
      userId: USER,
      timeZone: 'UTC',
      idempotencyKey: `step-${step}`,
      task: { id: 'task-1', startedAtMs: Date.now() },
      serviceId: `${fields.providerId}/${fields.service}`,
      authorization: testAuthorization({ approvedMaxMsat, rate: RATE }),
      ...rest,
    });
  }

  const walletBalance = async () => {
    const balance = await app.wallet.getBalance();
    if (!balance.ok) throw new Error('balance unavailable');
    return balance.value.balanceMsat;
  };

  it.each(Object.keys(SAMPLE_INPUTS))('buys %s at its invoice price, once, and reuses the token', async (name) => {
    const { service, request } = requestFor(name);
    const probed = await app.service.probePrice({ userId: USER, service: name, request, firm: true });
    if (!probed.ok || probed.source !== 'challenge') throw new Error(`probe failed: ${JSON.stringify(probed)}`);
    // The market's own pricing for this input: the invoice must ask exactly that.
    const parsed = service.parse(service.method === 'GET' ? Object.fromEntries(new URL(request.url).searchParams) : JSON.parse(request.body ?? '{}'));
    if (!parsed.ok) throw new Error('sample input invalid');
    const priceMsat = service.priceMsat(parsed.request.usage, Date.now());
    expect(probed.priceMsat).toBe(priceMsat);

    const before = await walletBalance();
    const providerBefore = app.ledger.balanceMsat(providerAccount(service.providerId));
    const outcome = await purchase({ service: name, providerId: service.providerId, request, approvedMaxMsat: probed.priceMsat });
    if (outcome.kind !== 'delivered' || outcome.via !== 'paid' || !outcome.paymentId) throw new Error(`not delivered: ${JSON.stringify(outcome)}`);
    expect(outcome.content.status).toBe(200);
    expect(() => JSON.parse(outcome.content.bodyText)).not.toThrow();
    expectedMsat.set(outcome.paymentId, priceMsat);

    const feeMsat = sandbox.network.feeFor(priceMsat);
    expect(await walletBalance()).toBe(before - priceMsat - feeMsat);
    expect(app.ledger.balanceMsat(providerAccount(service.providerId))).toBe(providerBefore + priceMsat);
    expect(app.ledger.userBalances(USER)).toEqual({ availableMsat: await walletBalance(), reservedMsat: 0 });

    const again = await purchase({ service: name, providerId: service.providerId, request, approvedMaxMsat: probed.priceMsat });
    expect(again).toMatchObject({ kind: 'delivered', via: 'cached_token' });
    expect(await walletBalance()).toBe(before - priceMsat - feeMsat);
  });

  it('prices from the manifest (fixed, formula) and from the quote endpoint (dynamic) without paying', async () => {
    const before = await walletBalance();
    const joke = requestFor('joke');
    expect(await app.service.probePrice({ userId: USER, service: 'joke', request: joke.request })).toMatchObject({
      ok: true,
      source: 'manifest',
      priceMsat: 1_000,
      advisory: true,
    });
    const summarise = requestFor('summarise');
    const chars = String(SAMPLE_INPUTS.summarise?.text).length;
    expect(
      await app.service.probePrice({ userId: USER, service: 'summarise', request: summarise.request, usage: { summarise_input_chars: chars } }),
    ).toMatchObject({ ok: true, source: 'manifest', priceMsat: 10_000 + 1_000 * Math.ceil(chars / 100) });
    const translate = requestFor('translate');
    const quoted = await app.service.probePrice({ userId: USER, service: 'translate', request: translate.request, usage: { translate_words: 8 } });
    expect(quoted).toMatchObject({ ok: true, source: 'quote', advisory: false });
    if (!quoted.ok || quoted.source !== 'quote') throw new Error('expected a quote');
    expect(quoted.priceMsat).toBe(quoted.quotedMsat);
    expect(await walletBalance()).toBe(before);
  });

  const EXPECTED: Record<string, Partial<PurchaseOutcome>> = {
    'amountless-invoice': { kind: 'refused_before_payment', reason: 'amountless_invoice' },
    'hash-mismatch': { kind: 'refused_before_payment', reason: 'payment_hash_mismatch' },
    'overpriced-invoice': { kind: 'needs_approval', reason: 'price_drift' },
    'expired-invoice': { kind: 'refused_before_payment', reason: 'invoice_expired' },
    'mainnet-invoice': { kind: 'refused_before_payment', reason: 'network_mismatch' },
    'paid-402': { kind: 'paid_not_delivered', reason: 'challenged_again' },
    'paid-500': { kind: 'paid_not_delivered', reason: 'server_error' },
    slow: { kind: 'paid_not_delivered', reason: 'fetch_failed' },
  };

  it('covers every misbehaving endpoint of the market', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(MISBEHAVING_ENDPOINTS.map((e) => e.name).sort());
  });

  it.each(Object.entries(EXPECTED))('handles %s: %o', async (name, expected) => {
    const before = await walletBalance();
    const outcome = await purchase({
      service: `misbehaving-${name}`,
      providerId: 'rogue-labs',
      request: { url: new URL(`/misbehaving/${name}`, sandbox.marketUrl).href, method: 'GET' },
      approvedMaxMsat: msat(MISBEHAVING_PRICE_MSAT),
    });
    expect(outcome).toMatchObject(expected);
    const paid = outcome.kind === 'paid_not_delivered';
    const spent = paid ? MISBEHAVING_PRICE_MSAT + sandbox.network.feeFor(MISBEHAVING_PRICE_MSAT) : 0;
    expect(await walletBalance()).toBe(before - spent);
    if (paid) {
      expectedMsat.set(outcome.paymentId, MISBEHAVING_PRICE_MSAT);
      const receipt = app.receipts.list(USER).find((r) => r.id === outcome.paymentId);
      expect(receipt).toMatchObject({ outcome: 'paid_not_delivered', reason: expected.kind === 'paid_not_delivered' ? expected.reason : '' });
      expect(receipt?.evidence.preimageHex).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('paid no invoice more than it asked or than was expected, and the ledger mirrors the wallet', async () => {
    const receipts = app.receipts.list(USER, { limit: 200 });
    expect(receipts.length).toBe(expectedMsat.size);
    for (const receipt of receipts) {
      expect([receipt.id, receipt.amountMsat]).toEqual([receipt.id, expectedMsat.get(receipt.id)]);
      const sent = await app.wallet.lookupInvoice({ paymentHashHex: receipt.evidence.paymentHash });
      if (!sent.ok) throw new Error('payment unknown to the wallet');
      expect([sent.value.amountMsat, sent.value.feesPaidMsat]).toEqual([receipt.amountMsat, receipt.feeMsat as Msat]);
    }
    expect(app.ledger.userBalances(USER)).toEqual({ availableMsat: await walletBalance(), reservedMsat: 0 });
    app.ledger.checkInvariants();
  });
});
