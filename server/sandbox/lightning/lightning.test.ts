import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import bolt11 from 'bolt11';
import { decode as lightDecode } from 'light-bolt11-decoder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LightningNetwork } from './network';

const SAT = 1_000;
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] };
const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

describe('simulated lightning network', () => {
  let dir: string;
  let db: Database.Database;
  let nowMs: number;
  let network: LightningNetwork;
  const open = () => new LightningNetwork(db, { fees: { baseMsat: 1_000, proportionalPpm: 5_000 }, now: () => nowMs });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-ln-'));
    db = new Database(join(dir, 'sandbox.db'));
    nowMs = 1_750_000_000_000;
    network = open();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mints real signed regtest BOLT11 invoices that third-party decoders accept', () => {
    const provider = network.ensureNode('provider');
    const minted = provider.createInvoice({ amountMsat: 21 * SAT, description: 'a joke', expirySeconds: 600 });
    expect(minted.paymentRequest).toMatch(/^lnbcrt210n1/);

    const decoded = bolt11.decode(minted.paymentRequest, REGTEST);
    expect(decoded.payeeNodeKey).toBe(provider.pubkeyHex); // recovered from the signature
    expect(decoded.millisatoshis).toBe('21000');
    expect(decoded.tagsObject.payment_hash).toBe(minted.paymentHashHex);
    expect(decoded.tagsObject.payment_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(decoded.tagsObject.description).toBe('a joke');
    expect(decoded.tagsObject.expire_time).toBe(600);
    expect(decoded.timestamp).toBe(nowMs / 1000);

    const sections = lightDecode(minted.paymentRequest).sections;
    expect(sections.find((s) => s.name === 'payment_hash')?.value).toBe(minted.paymentHashHex);
    expect(sections.find((s) => s.name === 'coin_network')?.value).toMatchObject({ bech32: 'bcrt' });
  });

  it('mints the misbehaving variants on request: amountless, mainnet, already expired', () => {
    const provider = network.ensureNode('provider');
    const amountless = provider.createInvoice({ amountMsat: null, description: 'x', expirySeconds: 60 });
    expect(bolt11.decode(amountless.paymentRequest, REGTEST).millisatoshis).toBeFalsy();
    const mainnet = provider.createInvoice({ amountMsat: SAT, description: 'x', expirySeconds: 60, network: 'mainnet' });
    expect(mainnet.paymentRequest).toMatch(/^lnbc10n1/);
    const old = provider.createInvoice({
      amountMsat: SAT,
      description: 'x',
      expirySeconds: 60,
      timestampSec: nowMs / 1000 - 3600,
    });
    expect(bolt11.decode(old.paymentRequest, REGTEST).timeExpireDate).toBeLessThan(nowMs / 1000);
  });

  it('moves exactly amount + fee from the payer, amount to the payee, and returns the preimage', async () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 100 * SAT });
    const payee = network.ensureNode('provider');
    const { paymentRequest, paymentHashHex } = payee.createInvoice({
      amountMsat: 10 * SAT,
      description: 'weather',
      expirySeconds: 600,
    });
    const outcome = await payer.pay(paymentRequest);
    const feeMsat = 1_000 + 50; // base + 5000 ppm of 10_000
    expect(outcome).toMatchObject({ status: 'settled', amountMsat: 10 * SAT, feeMsat, paymentHashHex });
    if (outcome.status !== 'settled' || !outcome.preimageHex) throw new Error('expected a preimage');
    expect(sha256Hex(outcome.preimageHex)).toBe(paymentHashHex);
    expect(payer.balanceMsat()).toBe(100 * SAT - 10 * SAT - feeMsat);
    expect(payee.balanceMsat()).toBe(10 * SAT);

    expect(payer.lookup(paymentHashHex)).toMatchObject({ direction: 'outgoing', state: 'settled', feeMsat });
    expect(payee.lookup(paymentHashHex)).toMatchObject({
      direction: 'incoming',
      state: 'settled',
      amountMsat: 10 * SAT,
      preimageHex: outcome.preimageHex,
    });
  });

  it('refuses unknown, expired, already-paid, wrong-network, self and underfunded payments without moving money', async () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 5 * SAT });
    const payee = network.ensureNode('provider');
    const stranger = new LightningNetwork(new Database(':memory:')).ensureNode('elsewhere');
    const invoice = (amountMsat: number, extra = {}) =>
      payee.createInvoice({ amountMsat, description: 'x', expirySeconds: 60, ...extra }).paymentRequest;

    const unknown = stranger.createInvoice({ amountMsat: SAT, description: 'x', expirySeconds: 60 });
    expect(await payer.pay(unknown.paymentRequest)).toEqual({ status: 'refused', reason: 'unknown_invoice' });
    expect(await payer.pay('lnbcrt1garbage')).toEqual({ status: 'refused', reason: 'invalid_invoice' });
    expect(await payer.pay(invoice(SAT, { network: 'mainnet' }))).toEqual({ status: 'refused', reason: 'wrong_network' });
    const expiring = invoice(SAT);
    nowMs += 60_000;
    expect(await payer.pay(expiring)).toEqual({ status: 'refused', reason: 'invoice_expired' });
    expect(await payer.pay(invoice(10 * SAT))).toEqual({ status: 'refused', reason: 'insufficient_balance' });
    expect(await payee.pay(invoice(SAT))).toEqual({ status: 'refused', reason: 'self_payment' });
    expect(payer.balanceMsat()).toBe(5 * SAT);
    expect(payee.balanceMsat()).toBe(0);

    const once = invoice(SAT);
    expect((await payer.pay(once)).status).toBe('settled');
    const afterFirst = payer.balanceMsat();
    expect(await payer.pay(once)).toEqual({ status: 'refused', reason: 'already_paid' });
    expect(payer.balanceMsat()).toBe(afterFirst);
  });

  it('refuses a payment the balance covers but not with the routing fee, and pays one it covers exactly', async () => {
    const payee = network.ensureNode('provider');
    const feeMsat = 1_000 + 50; // base + 5000 ppm of 10_000
    const short = network.ensureNode('short', { initialBalanceMsat: 10 * SAT + feeMsat - 1 });
    const exact = network.ensureNode('exact', { initialBalanceMsat: 10 * SAT + feeMsat });
    const invoice = () => payee.createInvoice({ amountMsat: 10 * SAT, description: 'x', expirySeconds: 60 }).paymentRequest;
    expect(await short.pay(invoice())).toEqual({ status: 'refused', reason: 'insufficient_balance' });
    expect(short.balanceMsat()).toBe(10 * SAT + feeMsat - 1);
    expect(await exact.pay(invoice())).toMatchObject({ status: 'settled', feeMsat });
    expect(exact.balanceMsat()).toBe(0);
    expect(payee.balanceMsat()).toBe(10 * SAT);
  });

  it('pays an amountless invoice only with an explicit amount, and rejects a contradicting amount', async () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 100 * SAT });
    const payee = network.ensureNode('provider');
    const open = payee.createInvoice({ amountMsat: null, description: 'tip', expirySeconds: 60 }).paymentRequest;
    expect(await payer.pay(open)).toEqual({ status: 'refused', reason: 'amount_required' });
    expect(await payer.pay(open, { amountMsat: 3 * SAT })).toMatchObject({ status: 'settled', amountMsat: 3 * SAT });
    expect(payee.balanceMsat()).toBe(3 * SAT);
    const fixed = payee.createInvoice({ amountMsat: SAT, description: 'x', expirySeconds: 60 }).paymentRequest;
    expect(await payer.pay(fixed, { amountMsat: 2 * SAT })).toEqual({ status: 'refused', reason: 'amount_mismatch' });
  });

  it('never pays one invoice twice, even when payments race', async () => {
    const a = network.ensureNode('a', { initialBalanceMsat: 100 * SAT });
    const b = network.ensureNode('b', { initialBalanceMsat: 100 * SAT });
    const payee = network.ensureNode('provider');
    const { paymentRequest } = payee.createInvoice({ amountMsat: 10 * SAT, description: 'x', expirySeconds: 60 });
    const outcomes = await Promise.all([a.pay(paymentRequest), b.pay(paymentRequest), a.pay(paymentRequest)]);
    expect(outcomes.filter((o) => o.status === 'settled')).toHaveLength(1);
    expect(payee.balanceMsat()).toBe(10 * SAT);
  });

  it('keeps balances, keys and unpaid invoices across a reopen of the database file', async () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 50 * SAT });
    const payee = network.ensureNode('provider');
    const pubkeyBefore = payee.pubkeyHex;
    const paid = payee.createInvoice({ amountMsat: 5 * SAT, description: 'paid', expirySeconds: 600 });
    await payer.pay(paid.paymentRequest);
    const unpaid = payee.createInvoice({ amountMsat: 7 * SAT, description: 'later', expirySeconds: 600 });
    const payerBalance = payer.balanceMsat();
    db.close();

    db = new Database(join(dir, 'sandbox.db'));
    network = open();
    const again = network.ensureNode('guest', { initialBalanceMsat: 999 * SAT }); // must not re-fund
    const payeeAgain = network.ensureNode('provider');
    expect(again.balanceMsat()).toBe(payerBalance);
    expect(payeeAgain.pubkeyHex).toBe(pubkeyBefore);
    expect(payeeAgain.lookup(unpaid.paymentHashHex)).toMatchObject({ state: 'pending', amountMsat: 7 * SAT });
    expect(await again.pay(unpaid.paymentRequest)).toMatchObject({ status: 'settled' });
    expect(await again.pay(paid.paymentRequest)).toEqual({ status: 'refused', reason: 'already_paid' });
  });

  it('lists transactions newest first, with unpaid ones on request and paging', async () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 100 * SAT });
    const payee = network.ensureNode('provider');
    for (const n of [1, 2, 3]) {
      nowMs += 1_000;
      const { paymentRequest } = payee.createInvoice({ amountMsat: n * SAT, description: `#${n}`, expirySeconds: 60 });
      await payer.pay(paymentRequest);
    }
    nowMs += 1_000;
    payee.createInvoice({ amountMsat: SAT, description: 'unpaid', expirySeconds: 60 });
    expect(payee.listTransactions().transactions.map((t) => t.description)).toEqual(['#3', '#2', '#1']);
    expect(payee.listTransactions({ includeUnpaid: true }).transactions[0]?.state).toBe('pending');
    const page = payer.listTransactions({ limit: 2, offset: 1 });
    expect(page.totalCount).toBe(3);
    expect(page.transactions.map((t) => t.description)).toEqual(['#2', '#1']);
    expect(payer.listTransactions({ direction: 'incoming' }).transactions).toEqual([]);
  });
});

describe('payment faults', () => {
  let network: LightningNetwork;
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    network = new LightningNetwork(db, { fees: { baseMsat: 0, proportionalPpm: 0 } });
  });
  afterEach(() => db.close());
  const setup = () => {
    const payer = network.ensureNode('guest', { initialBalanceMsat: 100 * SAT });
    const payee = network.ensureNode('provider');
    const invoice = () => payee.createInvoice({ amountMsat: SAT, description: 'x', expirySeconds: 60 });
    return { payer, payee, invoice };
  };

  it('delay: settles after the delay', async () => {
    const { payer, invoice } = setup();
    payer.setFault({ kind: 'delay', ms: 150 });
    const started = Date.now();
    expect((await payer.pay(invoice().paymentRequest)).status).toBe('settled');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fail: refuses and moves nothing', async () => {
    const { payer, payee, invoice } = setup();
    payer.setFault({ kind: 'fail' });
    expect(await payer.pay(invoice().paymentRequest)).toEqual({ status: 'refused', reason: 'route_failed' });
    expect(payee.balanceMsat()).toBe(0);
  });

  it('no_preimage: settles but withholds the proof', async () => {
    const { payer, payee, invoice } = setup();
    payer.setFault({ kind: 'no_preimage' });
    expect(await payer.pay(invoice().paymentRequest)).toMatchObject({ status: 'settled', preimageHex: null });
    expect(payee.balanceMsat()).toBe(SAT);
  });

  it('no_reply before or after settling: silent either way, money moved only after', async () => {
    const { payer, payee, invoice } = setup();
    payer.setFault({ kind: 'no_reply_before_settle' });
    const first = invoice();
    expect(await payer.pay(first.paymentRequest)).toEqual({ status: 'no_reply' });
    expect(payee.lookup(first.paymentHashHex)?.state).toBe('pending');
    payer.setFault({ kind: 'no_reply_after_settle' });
    const second = invoice();
    expect(await payer.pay(second.paymentRequest)).toEqual({ status: 'no_reply' });
    expect(payee.lookup(second.paymentHashHex)?.state).toBe('settled');
    expect(payee.balanceMsat()).toBe(SAT);
    payer.setFault(null);
    expect((await payer.pay(first.paymentRequest)).status).toBe('settled');
  });
});
