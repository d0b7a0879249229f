// The purchase flow against the real ledger, governance and database, with the provider and the
// wallet faked behind their ports: every named outcome, what the ledger holds after each, and how
// often the wallet was asked to pay.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createSecretBox } from '../../db/secret-box';
import { createLeases } from '../background';
import { createGovernance, type Governance } from '../governance';
import { createLedger, lightningAccount, providerAccount, routingFeesAccount, userAvailableAccount, type Ledger } from '../ledger';
import { creditUserFunding } from './funding';
import { createPaymentService, type PaymentService } from './payment-service';
import { createReceipts } from './receipts';
import { createReconciler } from './reconciler';
import { createFakeProvider, createFakeWallet, testAuthorization } from './test-fakes';
import type { PurchaseRequest } from './types';

const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
const USER = 'user-1';
const PRICE_MSAT = 20_000;
const FEE_MSAT = 1_020;
const FUNDS_MSAT = 1_000_000;
const FEE_ALLOWANCE_MSAT = 10_000; // the default minimum: 1% of 20 sats is less

let handle: DatabaseHandle;
let ledger: Ledger;
let governance: Governance;
let nowMs: number;
let provider: ReturnType<typeof createFakeProvider>;
let wallet: ReturnType<typeof createFakeWallet>;
let service: PaymentService;
let step = 0;

function newService() {
  return createPaymentService({
    database: handle,
    ledger,
    governance,
    http: provider.port,
    walletFor: async () => wallet.wallet,
    secretBox: createSecretBox(randomBytes(32)),
    now: () => nowMs,
    options: { deliveryBackoffMs: 1 },
  });
}

beforeEach(() => {
  handle = openDatabase(':memory:');
  nowMs = Date.parse('2026-03-10T15:00:00Z');
  governance = createGovernance(handle, { now: () => nowMs });
  ledger = createLedger(handle, { now: () => nowMs, observer: governance.usageObserver });
  provider = createFakeProvider({ service: 'joke', invoiceMsat: PRICE_MSAT, nowMs: () => nowMs });
  wallet = createFakeWallet(provider, { feeMsat: FEE_MSAT });
  service = newService();
  expect(creditUserFunding(ledger, { userId: USER, amountMsat: msat(FUNDS_MSAT), idempotencyKey: 'fund-1' }).ok).toBe(true);
});

function purchaseRequest(overrides: Partial<PurchaseRequest> = {}): PurchaseRequest {
  step++;
  return {
    userId: USER,
    timeZone: 'UTC',
    idempotencyKey: `step-${step}`,
    task: null,
    serviceId: 'satoshi-jokes/joke',
    service: 'joke',
    providerId: 'satoshi-jokes',
    request: { url: 'http://market.test/v1/joke?topic=bitcoin', method: 'GET' },
    authorization: testAuthorization({ approvedMaxMsat: msat(PRICE_MSAT), rate: RATE }),
    ...overrides,
  };
}

/** Forgets every kept token, as if it had expired: a retried step must then go by its payment record. */
const vaultCleared = () => handle.sqlite.prepare('DELETE FROM l402_tokens').run();

const balances = () => ({
  ...ledger.userBalances(USER),
  provider: ledger.balanceMsat(providerAccount('satoshi-jokes')),
  fees: ledger.balanceMsat(routingFeesAccount),
});

describe('purchase', () => {
  it('pays once, posts the invoice amount and the actual fee, delivers, then reuses the token', async () => {
    const first = await service.purchase(purchaseRequest());
    expect(first).toMatchObject({ kind: 'delivered', via: 'paid', content: { status: 200 } });
    expect(balances()).toEqual({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0, provider: PRICE_MSAT, fees: FEE_MSAT });

    const second = await service.purchase(purchaseRequest());
    expect(second).toMatchObject({ kind: 'delivered', via: 'cached_token', paymentId: null });
    expect(wallet.calls.pay).toBe(1);
    expect(provider.calls.request).toBe(1);
    expect(balances().availableMsat).toBe(FUNDS_MSAT - PRICE_MSAT - FEE_MSAT);
    ledger.checkInvariants();

    const [receipt] = createReceipts(handle.db).list(USER);
    expect(receipt).toMatchObject({ outcome: 'delivered', amountMsat: PRICE_MSAT, feeMsat: FEE_MSAT, evidence: { httpStatus: 200 } });
    expect(receipt?.evidence.preimageHex).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt?.evidence.responseSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(receipt?.totalUsdCents).toBe(2); // 21,020 msat at 10,000 msat a cent, half up
  });

  it('keeps the token sealed at rest and reads the fee from the wallet when pay does not report it', async () => {
    wallet.script.push('no_fee');
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(wallet.calls.lookup).toBe(1);
    expect(balances().fees).toBe(FEE_MSAT);
    const rows = handle.sqlite.prepare('SELECT macaroon_sealed, preimage_sealed FROM l402_tokens').all() as Record<string, string>[];
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row?.macaroon_sealed).toMatch(/^v1:/);
    const receipt = createReceipts(handle.db).list(USER)[0];
    expect(row?.preimage_sealed).not.toContain(receipt?.evidence.preimageHex ?? 'x');
  });

  it('asks again (price drift) when the invoice is above the approved maximum, holding nothing', async () => {
    provider.state.invoiceMsat = PRICE_MSAT * 2;
    expect(await service.purchase(purchaseRequest())).toEqual({
      kind: 'needs_approval',
      reason: 'price_drift',
      invoiceMsat: PRICE_MSAT * 2,
      approvedMaxMsat: PRICE_MSAT,
    });
    expect(wallet.calls.pay).toBe(0);
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT, reservedMsat: 0 });
  });

  it('keeps the drifted invoice, so the step approved at its amount pays that very invoice', async () => {
    provider.state.invoiceMsat = PRICE_MSAT * 2;
    const request = purchaseRequest();
    expect(await service.purchase(request)).toMatchObject({ kind: 'needs_approval', invoiceMsat: PRICE_MSAT * 2 });
    const approvedAgain = { ...request, authorization: testAuthorization({ approvedMaxMsat: msat(PRICE_MSAT * 2), rate: RATE }) };
    expect(await service.purchase(approvedAgain)).toMatchObject({ kind: 'delivered', via: 'paid' });
    // One challenge asked for in all: the second purchase paid the kept one.
    expect(provider.calls.request).toBe(1);
    expect(wallet.calls.pay).toBe(1);
  });

  it('refuses before paying what the gate refuses, with its name', async () => {
    provider.state.hashMismatch = true;
    expect(await service.purchase(purchaseRequest())).toEqual({ kind: 'refused_before_payment', reason: 'payment_hash_mismatch' });
    provider.state.hashMismatch = false;
    provider.state.network = 'mainnet';
    expect(await service.purchase(purchaseRequest())).toEqual({ kind: 'refused_before_payment', reason: 'network_mismatch' });
    expect(wallet.calls.pay).toBe(0);
  });

  it('refuses over budget inside the reservation, before the wallet is asked', async () => {
    governance.saveSettings(USER, { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(25_000) } });
    expect(await service.purchase(purchaseRequest())).toEqual({ kind: 'budget_refused', reason: 'exceeds_monthly_budget' });
    expect(wallet.calls.pay).toBe(0);
    expect(balances().reservedMsat).toBe(0);
  });

  it('voids the hold when the wallet refuses to pay', async () => {
    wallet.script.push('failed');
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'payment_failed', reason: 'insufficient_balance' });
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT, reservedMsat: 0, provider: 0 });
    expect(createReceipts(handle.db).list(USER)[0]?.outcome).toBe('failed');
  });

  it('posts a payment without proof as paid_unusable and never retries it', async () => {
    wallet.script.push('no_preimage');
    const request = purchaseRequest();
    expect(await service.purchase(request)).toMatchObject({ kind: 'paid_not_delivered', reason: 'paid_unusable' });
    expect(provider.calls.deliver).toBe(0);
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0 });
    expect(await service.purchase(request)).toMatchObject({ kind: 'paid_not_delivered', reason: 'paid_unusable' });
    expect(wallet.calls.pay).toBe(1);
  });

  it('marks a 402 after paying as paid, not delivered, evicts the token and pays nothing more', async () => {
    provider.state.afterPayment = 'challenge_again';
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'paid_not_delivered', reason: 'challenged_again', httpStatus: 402 });
    expect(provider.calls.deliver).toBe(1);
    expect(handle.sqlite.prepare('SELECT count(*) AS n FROM l402_tokens').get()).toEqual({ n: 0 });
    expect(wallet.calls.pay).toBe(1);
    expect(createReceipts(handle.db).list(USER)[0]).toMatchObject({ outcome: 'paid_not_delivered', reason: 'challenged_again' });
  });

  it('judges a 200 after paying: an empty body is paid, not delivered, with its evidence, and is not retried', async () => {
    provider.state.deliveredBody = '';
    const paidAtMs = nowMs;
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'paid_not_delivered', reason: 'empty_body', httpStatus: 200 });
    expect(provider.calls.deliver).toBe(1);
    expect(wallet.calls.pay).toBe(1);
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0, provider: PRICE_MSAT });
    const [receipt] = createReceipts(handle.db).list(USER);
    expect(receipt).toMatchObject({
      outcome: 'paid_not_delivered',
      reason: 'empty_body',
      reasonDetail: 'the provider answered with an empty body',
      evidence: {
        httpStatus: 200,
        responseSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        responseBytes: 0,
        paidAtMs,
        deliveryRequestedAtMs: paidAtMs,
        deliveredAtMs: paidAtMs,
      },
    });
  });

  it("judges a 200 against the service's published output schema, and a kept token's later answers too", async () => {
    const outputSchema = { type: 'object', properties: { setup: { type: 'string' }, punchline: { type: 'string' } }, required: ['setup', 'punchline'] };
    provider.state.deliveredBody = JSON.stringify({ setup: 42 });
    const outcome = await service.purchase(purchaseRequest({ outputSchema }));
    expect(outcome).toMatchObject({ kind: 'paid_not_delivered', reason: 'schema_invalid', httpStatus: 200 });
    expect(outcome.kind === 'paid_not_delivered' && outcome.detail).toMatch(/setup.*punchline/);
    const [receipt] = createReceipts(handle.db).list(USER);
    expect(receipt).toMatchObject({ reason: 'schema_invalid', evidence: { responseBytes: 12 } });
    expect(receipt?.reasonDetail).toContain('punchline');

    // The next step of the same service finds the token bought above: its answer is judged as well,
    // and nothing is paid for it.
    expect(await service.purchase(purchaseRequest({ outputSchema }))).toMatchObject({ kind: 'refused_before_payment', reason: 'cached_token_not_delivered' });
    provider.state.deliveredBody = '<html>';
    expect(await service.purchase(purchaseRequest({ outputSchema }))).toMatchObject({ kind: 'refused_before_payment', reason: 'cached_token_not_delivered' });
    provider.state.deliveredBody = JSON.stringify({ setup: 'Why?', punchline: 'Sats.' });
    expect(await service.purchase(purchaseRequest({ outputSchema }))).toMatchObject({ kind: 'delivered', via: 'cached_token' });
    expect(wallet.calls.pay).toBe(1);
  });

  it('a step retried after its answer was judged undelivered gets the same outcome and detail, never a new payment', async () => {
    provider.state.deliveredBody = 'not json';
    const request = purchaseRequest({ outputSchema: { type: 'object' } });
    expect(await service.purchase(request)).toMatchObject({ kind: 'paid_not_delivered', reason: 'not_json' });
    vaultCleared();
    const again = await service.purchase(request);
    expect(again).toMatchObject({ kind: 'paid_not_delivered', reason: 'not_json', httpStatus: 200 });
    expect(again.kind === 'paid_not_delivered' && again.detail).toContain('not JSON');
    expect(wallet.calls.pay).toBe(1);
  });

  it('retries a 5xx after paying a bounded number of times with the same token', async () => {
    provider.state.afterPayment = 'server_error';
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'paid_not_delivered', reason: 'server_error', httpStatus: 500 });
    expect(provider.calls.deliver).toBe(3);
    expect(wallet.calls.pay).toBe(1);
  });

  it('leaves an unknown outcome for the reconciler, which posts it once the wallet says settled', async () => {
    wallet.script.push('unknown_after_paying');
    const request = purchaseRequest();
    const outcome = await service.purchase(request);
    expect(outcome).toMatchObject({ kind: 'payment_unknown' });
    expect(balances().reservedMsat).toBe(PRICE_MSAT + FEE_ALLOWANCE_MSAT);
    // The step retried: never paid again.
    expect(await service.purchase(request)).toMatchObject({ kind: 'payment_unknown' });
    expect(wallet.calls.pay).toBe(1);

    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    wallet.setLookup('unknown');
    expect(await reconciler.reconcileOnce()).toMatchObject({ posted: [], kept: [expect.any(String)] });
    wallet.setLookup('truth');
    expect(await reconciler.reconcileOnce()).toMatchObject({ posted: [expect.any(String)] });
    expect(await reconciler.reconcileOnce()).toEqual({ posted: [], uncovered: [], voided: [], kept: [] });
    expect(balances()).toEqual({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0, provider: PRICE_MSAT, fees: FEE_MSAT });
    ledger.checkInvariants();

    // The reconciler put the paid token in the vault: the resumed step redeems its own payment.
    const paymentId = outcome.kind === 'payment_unknown' ? outcome.paymentId : '';
    expect(await service.purchase(request)).toMatchObject({ kind: 'delivered', via: 'paid', paymentId, content: { status: 200 } });
    expect(wallet.calls.pay).toBe(1);
    expect(createReceipts(handle.db).list(USER)[0]).toMatchObject({ id: paymentId, outcome: 'delivered', evidence: { httpStatus: 200 } });
    // Redeemed once: the next retry of the step is served from the vault like any other request.
    expect(await service.purchase(request)).toMatchObject({ kind: 'delivered', via: 'cached_token', paymentId: null });
    expect(wallet.calls.pay).toBe(1);
  });

  it('records a routing fee above the allowance in full, the excess taken from available funds', async () => {
    const feeMsat = FEE_ALLOWANCE_MSAT + 5_000;
    wallet = createFakeWallet(provider, { feeMsat });
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(balances()).toEqual({ availableMsat: FUNDS_MSAT - PRICE_MSAT - feeMsat, reservedMsat: 0, provider: PRICE_MSAT, fees: feeMsat });
    expect(createReceipts(handle.db).list(USER)[0]).toMatchObject({ feeMsat });
    // The month's budget counts every msat that left the wallet, the excess fee included.
    expect(governance.status(USER, 'UTC', RATE).summary.usedMsat).toBe(PRICE_MSAT + feeMsat);
    governance.checkUsageTotals();
    ledger.checkInvariants();
  });

  it('records a payment settled after the expiry sweep released its hold, once', async () => {
    wallet.script.push('unknown_after_paying');
    const outcome = await service.purchase(purchaseRequest());
    if (outcome.kind !== 'payment_unknown') throw new Error(`expected payment_unknown, got ${outcome.kind}`);
    nowMs += 24 * 60 * 60_000 + 1; // past the default reservation TTL
    expect(ledger.expire().expired).toHaveLength(1);
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT, reservedMsat: 0, provider: 0 });

    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ posted: [outcome.paymentId] });
    expect(await reconciler.reconcileOnce()).toEqual({ posted: [], uncovered: [], voided: [], kept: [] });
    expect(balances()).toEqual({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0, provider: PRICE_MSAT, fees: FEE_MSAT });
    expect(wallet.calls.pay).toBe(1);
    // The expired hold no longer counts, the late charge does: usage is exactly what was paid.
    expect(governance.status(USER, 'UTC', RATE).summary.usedMsat).toBe(PRICE_MSAT + FEE_MSAT);
    governance.checkUsageTotals();
    ledger.checkInvariants();
  });

  it('names a late settlement the funds no longer cover "uncovered", books what they cover, and does not fail on later passes', async () => {
    wallet.script.push('unknown_after_paying');
    const outcome = await service.purchase(purchaseRequest());
    if (outcome.kind !== 'payment_unknown') throw new Error(`expected payment_unknown, got ${outcome.kind}`);
    nowMs += 24 * 60 * 60_000 + 1;
    expect(ledger.expire().expired).toHaveLength(1);
    // The released funds are spent elsewhere (withdrawn) before the payment is found settled.
    const leftMsat = 5_000;
    expect(ledger.transfer({ idempotencyKey: 'spent-elsewhere', debit: userAvailableAccount(USER), credit: lightningAccount, amountMsat: msat(FUNDS_MSAT - leftMsat) }).ok).toBe(true);

    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ posted: [], uncovered: [outcome.paymentId] });
    expect(await reconciler.reconcileOnce()).toEqual({ posted: [], uncovered: [], voided: [], kept: [] });
    expect(balances()).toMatchObject({ availableMsat: 0, reservedMsat: 0, provider: leftMsat });
    expect(wallet.calls.pay).toBe(1);
    governance.checkUsageTotals();
    ledger.checkInvariants();
  });

  it("finds one receipt by payment id for its owner only (a dispute's evidence)", async () => {
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    const receipts = createReceipts(handle.db);
    const [latest] = receipts.list(USER);
    if (!latest) throw new Error('expected a receipt');
    expect(receipts.get(USER, latest.id)).toEqual(latest);
    expect(receipts.get('someone-else', latest.id)).toBeNull();
    expect(receipts.get(USER, 'no-such-payment')).toBeNull();
  });

  it('does not void a payment another process began paying after the reconciler read it as never sent', async () => {
    wallet.script.push('unknown_after_paying');
    const outcome = await service.purchase(purchaseRequest());
    if (outcome.kind !== 'payment_unknown') throw new Error(`expected payment_unknown, got ${outcome.kind}`);
    const [row] = service.records.unresolved();
    if (!row) throw new Error('expected the payment to be unresolved');
    // What a reconciler in another process read (under its lease) a moment before this one's purchase marked it paying.
    const stale = { ...row, status: 'reserved' as const, createdAtMs: row.createdAtMs - 10 * 60_000 };
    const reconciler = createReconciler({ records: { ...service.records, unresolved: () => [stale], byId: () => stale }, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ voided: [] });
    expect(service.records.unresolved()).toEqual([expect.objectContaining({ id: row.id, status: 'paying' })]);
    expect(balances().reservedMsat).toBeGreaterThan(0); // the hold stays until the wallet's answer is known
    ledger.checkInvariants();
  });

  it('keeps the macaroon written ahead sealed on the payment row; one that will not open still posts the money', async () => {
    wallet.script.push('unknown_after_paying');
    const outcome = await service.purchase(purchaseRequest());
    if (outcome.kind !== 'payment_unknown') throw new Error(`expected payment_unknown, got ${outcome.kind}`);
    const row = handle.sqlite.prepare('SELECT id, macaroon_sealed, token_expires_at_ms FROM payments').get() as Record<string, string | number>;
    expect(row.macaroon_sealed).toMatch(/^v1:/);
    expect(row.token_expires_at_ms).toBe(nowMs + 3_600_000); // the fake provider's tokens are valid for an hour
    // Sealed under another key (a rotated secret) it does not open: the payment is posted all the same, no token stored.
    handle.sqlite.prepare('UPDATE payments SET macaroon_sealed = ? WHERE id = ?').run(
      createSecretBox(randomBytes(32)).seal('AgEEbHNhdAJC', `payment-macaroon:${outcome.paymentId}`),
      outcome.paymentId,
    );
    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ posted: [outcome.paymentId] });
    expect(handle.sqlite.prepare('SELECT count(*) AS n FROM l402_tokens').get()).toEqual({ n: 0 });
    expect(balances()).toEqual({ availableMsat: FUNDS_MSAT - PRICE_MSAT - FEE_MSAT, reservedMsat: 0, provider: PRICE_MSAT, fees: FEE_MSAT });
  });

  it('voids a payment the wallet never saw once its invoice has long expired, and keeps it before', async () => {
    wallet.script.push('unknown');
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'payment_unknown' });
    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ kept: [expect.any(String)] });
    nowMs += 600_000 + 10 * 60_000 + 1;
    expect(await reconciler.reconcileOnce()).toMatchObject({ voided: [expect.any(String)] });
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT, reservedMsat: 0 });
  });

  it('buys one token for parallel steps of the same service', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => service.purchase(purchaseRequest())));
    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(outcomes.filter((o) => o.kind === 'delivered' && o.via === 'paid')).toHaveLength(1);
    expect(wallet.calls.pay).toBe(1);
  });

  it('never pays one payment hash twice, even for different steps', async () => {
    const exchange = await provider.port.request({ url: 'http://market.test/v1/joke', method: 'GET' });
    if (exchange.kind !== 'challenge') throw new Error('expected a challenge');
    let served = 0;
    provider.port.request = async () => {
      served++;
      return exchange;
    };
    // Two services with separate vault keys get the same challenge (a misbehaving provider).
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(await service.purchase(purchaseRequest({ service: 'joke', request: { url: 'http://other.test/v1/joke', method: 'GET' } }))).toEqual({
      kind: 'refused_before_payment',
      reason: 'payment_hash_already_used',
    });
    expect(served).toBe(2);
    expect(wallet.calls.pay).toBe(1);
  });

  it('pays a challenge kept from a price probe without asking the provider again', async () => {
    const probed = await service.probePrice({ userId: USER, service: 'joke', request: purchaseRequest().request, firm: true });
    expect(probed).toMatchObject({ ok: true, source: 'challenge', priceMsat: PRICE_MSAT, advisory: false });
    expect(provider.calls.request).toBe(1);
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(provider.calls.request).toBe(1);
  });

  it('probes the manifest price (advisory) and checks a quote against what was asked', async () => {
    expect(await service.probePrice({ userId: USER, service: 'joke', request: purchaseRequest().request })).toEqual({
      ok: true,
      source: 'manifest',
      priceMsat: PRICE_MSAT,
      advisory: true,
      expiresAtMs: null,
    });
    provider.port.manifestPrice = async () => ({ kind: 'dynamic', hasQuoteEndpoint: true });
    provider.state.quoteCaveats = [{ key: 'translate_words', value: '5' }];
    const request = { userId: USER, service: 'joke', request: purchaseRequest().request };
    expect(await service.probePrice({ ...request, usage: { translate_words: 8 } })).toMatchObject({ ok: false, reason: 'quote_mismatch' });
    expect(await service.probePrice({ ...request, usage: { translate_words: 5 } })).toMatchObject({ ok: true, source: 'quote', priceMsat: PRICE_MSAT });
  });

  it('pays again once the vault token is predicted to have expired', async () => {
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    nowMs += 3_600_000; // the fake provider's tokens are valid for an hour
    expect(await service.purchase(purchaseRequest())).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(wallet.calls.pay).toBe(2);
  });

  it('write-aheads submitted together commit together, and each checks the settings in force when it runs', async () => {
    const writeAheadFor = async () => {
      const request = purchaseRequest();
      const exchange = await provider.port.request(request.request);
      if (exchange.kind !== 'challenge') throw new Error('expected a challenge');
      const verdict = provider.port.verifyChallenge({ challenge: exchange.challenge, walletNetwork: 'regtest', nowMs, maxAmountMsat: msat(PRICE_MSAT), expiryMarginSec: 30 });
      if (!verdict.ok) throw new Error(verdict.reason);
      return { ...request, rate: request.authorization.rate, method: 'GET', url: request.request.url, verified: verdict.verified, feeAllowanceMsat: msat(FEE_ALLOWANCE_MSAT) };
    };
    const [first, second] = [await writeAheadFor(), await writeAheadFor()];
    const both = [service.records.writeAhead(first), service.records.writeAhead(second)];
    // Submitted, not yet run: nothing is written until the batch commits...
    expect(ledger.userBalances(USER).reservedMsat).toBe(0);
    // ...and a limit tightened meanwhile applies to both (one hold of 30 sats fits in 40, two do not).
    governance.saveSettings(USER, { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(40_000) } });
    const outcomes = await Promise.all(both);
    expect(outcomes.map((outcome) => (outcome.ok ? 'reserved' : outcome.reason))).toEqual(['reserved', 'exceeds_monthly_budget']);
    expect(ledger.userBalances(USER).reservedMsat).toBe(PRICE_MSAT + FEE_ALLOWANCE_MSAT);
    ledger.checkInvariants();
  });

  it('voids a write-ahead record that was never marked paying, after a grace period', async () => {
    const exchange = await provider.port.request(purchaseRequest().request);
    if (exchange.kind !== 'challenge') throw new Error('expected a challenge');
    const verdict = provider.port.verifyChallenge({ challenge: exchange.challenge, walletNetwork: 'regtest', nowMs, maxAmountMsat: msat(PRICE_MSAT), expiryMarginSec: 30 });
    if (!verdict.ok) throw new Error(verdict.reason);
    const request = purchaseRequest();
    const written = await service.records.writeAhead({
      ...request,
      rate: request.authorization.rate,
      method: 'GET',
      url: request.request.url,
      verified: verdict.verified,
      feeAllowanceMsat: msat(FEE_ALLOWANCE_MSAT),
    });
    expect(written.ok).toBe(true);
    const reconciler = createReconciler({ records: service.records, walletFor: async () => wallet.wallet, leases: createLeases({ db: handle.db, now: () => nowMs }), now: () => nowMs });
    expect(await reconciler.reconcileOnce()).toMatchObject({ kept: [expect.any(String)] });
    nowMs += 60_001;
    expect(await reconciler.reconcileOnce()).toMatchObject({ voided: [expect.any(String)] });
    expect(wallet.calls.lookup).toBe(0);
    expect(balances()).toMatchObject({ availableMsat: FUNDS_MSAT, reservedMsat: 0 });
  });
});
