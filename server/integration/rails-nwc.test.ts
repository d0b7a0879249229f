/**
 * The NWC rail against the sandbox's real relay and NIP-47 wallets (simulated Lightning underneath):
 * every port method, the error mapping, and the faults that must read as "unknown", never "failed".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { preimageMatchesPaymentHash } from '../domain/ports/wallet';
import { openNwcWallet } from '../rails/nwc/nwc-wallet';
import type { NwcWallet, NwcWalletTimeouts } from '../rails/nwc/nwc-wallet';
import { LightningNetwork } from '../sandbox/lightning';
import { startRelay } from '../sandbox/relay/relay';
import type { RunningRelay } from '../sandbox/relay/relay';
import { SandboxWallets } from '../sandbox/wallets';

const SAT = 1_000;
const FEES = { baseMsat: 1_000, proportionalPpm: 10_000 };
const FAST: NwcWalletTimeouts = { payMs: 1_500, otherMs: 3_000 };

describe('NWC wallet port over the sandbox relay', () => {
  let dir: string;
  let db: Database.Database;
  let relay: RunningRelay;
  let network: LightningNetwork;
  let wallets: SandboxWallets;
  const opened: NwcWallet[] = [];

  async function open(label: string, node: string, options: { budgetMsat?: number } = {}): Promise<NwcWallet> {
    const result = openNwcWallet(await wallets.connect(label, node, options), { timeouts: FAST });
    if (!result.ok) throw new Error(`sandbox connection string refused: ${result.reason}`);
    opened.push(result.wallet);
    return result.wallet;
  }
  const mint = (amountMsat: number) => {
    const node = network.node('provider');
    if (!node) throw new Error('provider node missing');
    return node.createInvoice({ amountMsat, description: 'rails test', expirySeconds: 600 });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-rails-nwc-'));
    db = new Database(join(dir, 'sandbox.db'));
    relay = await startRelay();
    network = new LightningNetwork(db, { fees: FEES });
    network.ensureNode('guest', { initialBalanceMsat: 1_000 * SAT });
    network.ensureNode('provider');
    network.ensureNode('poor', { initialBalanceMsat: 5 * SAT });
    wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
  });
  afterEach(() => {
    for (const wallet of opened.splice(0)) wallet.close();
    for (const name of ['guest', 'provider', 'poor']) network.node(name)?.setFault(null);
  });
  afterAll(async () => {
    wallets.close();
    await relay.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('get_info, get_balance and get_budget', async () => {
    const guest = await open('guest', 'guest');
    const info = await guest.getInfo();
    expect(info).toMatchObject({ ok: true, value: { network: 'regtest', networkReported: 'regtest' } });
    expect(info.ok && info.value.methods).toEqual(expect.arrayContaining(['pay_invoice', 'lookup_invoice']));
    expect(await guest.getBalance()).toEqual({ ok: true, value: { balanceMsat: network.node('guest')?.balanceMsat() } });
    expect(await guest.getBudget()).toEqual({ ok: true, value: { kind: 'unlimited' } });
  });

  it('make_invoice, pay_invoice with a valid preimage and fees, lookup and list on both sides', async () => {
    const guest = await open('guest', 'guest');
    const provider = await open('provider', 'provider');
    const made = await provider.makeInvoice({ amountMsat: (21 * SAT) as never, description: 'joke', expirySec: 600 });
    if (!made.ok) throw new Error(`make_invoice failed: ${made.reason}`);
    expect(made.value).toMatchObject({ direction: 'incoming', state: 'pending', amountMsat: 21 * SAT, preimageHex: null });
    const invoice = made.value.invoice ?? '';

    const paid = await guest.payInvoice(invoice);
    expect(paid).toEqual({ status: 'paid', preimageHex: expect.stringMatching(/^[0-9a-f]{64}$/), feesPaidMsat: 1_210 });
    expect(paid.status === 'paid' && paid.preimageHex && preimageMatchesPaymentHash(paid.preimageHex, made.value.paymentHashHex)).toBe(true);

    const incoming = await provider.lookupInvoice({ paymentHashHex: made.value.paymentHashHex });
    expect(incoming).toMatchObject({ ok: true, value: { direction: 'incoming', state: 'settled', settledAtSec: expect.any(Number) } });
    const outgoing = await guest.lookupInvoice({ invoice });
    expect(outgoing).toMatchObject({ ok: true, value: { direction: 'outgoing', state: 'settled', feesPaidMsat: 1_210, amountMsat: 21 * SAT } });
    const listed = await guest.listTransactions({ direction: 'outgoing', limit: 5 });
    expect(listed.ok && listed.value.transactions[0]?.paymentHashHex).toBe(made.value.paymentHashHex);
  });

  it('maps INSUFFICIENT_BALANCE, PAYMENT_FAILED and NOT_FOUND to named refusals', async () => {
    const poor = await open('poor', 'poor');
    const guest = await open('guest', 'guest');
    expect(await poor.payInvoice(mint(10 * SAT).paymentRequest)).toMatchObject({ status: 'failed', reason: 'insufficient_balance' });
    const once = mint(SAT).paymentRequest;
    expect((await guest.payInvoice(once)).status).toBe('paid');
    expect(await guest.payInvoice(once)).toMatchObject({ status: 'failed', reason: 'payment_failed' });
    expect(await guest.lookupInvoice({ paymentHashHex: 'ab'.repeat(32) })).toMatchObject({
      ok: false,
      outcome: 'refused',
      reason: 'not_found',
    });
  });

  it('maps QUOTA_EXCEEDED from a budgeted connection, and nothing is paid', async () => {
    const budgeted = await open('guest-budget', 'guest', { budgetMsat: 12 * SAT });
    expect((await budgeted.payInvoice(mint(10 * SAT).paymentRequest)).status).toBe('paid'); // 11.1 sat used
    const balanceBefore = network.node('guest')?.balanceMsat();
    expect(await budgeted.payInvoice(mint(2 * SAT).paymentRequest)).toMatchObject({ status: 'failed', reason: 'quota_exceeded' });
    expect(network.node('guest')?.balanceMsat()).toBe(balanceBefore);
    expect(await budgeted.getBudget()).toEqual({
      ok: true,
      value: { kind: 'limited', budget: { usedMsat: 11_100, totalMsat: 12 * SAT, renewsAtSec: null, renewalPeriod: 'never' } },
    });
  });

  it('a wallet that pays but never answers gives unknown/reply_timeout, and lookup then shows it settled', async () => {
    const guest = await open('guest', 'guest');
    await guest.getInfo(); // warm the connection so the timer measures only the payment
    network.node('guest')?.setFault({ kind: 'no_reply_after_settle' });
    const { paymentRequest, paymentHashHex } = mint(3 * SAT);
    const started = Date.now();
    expect(await guest.payInvoice(paymentRequest)).toMatchObject({ status: 'unknown', reason: 'reply_timeout' });
    expect(Date.now() - started).toBeLessThan(FAST.payMs + 1_000);
    network.node('guest')?.setFault(null);
    const reconciled = await guest.lookupInvoice({ paymentHashHex });
    expect(reconciled).toMatchObject({ ok: true, value: { direction: 'outgoing', state: 'settled' } });
  });

  it('success without a preimage is reported as paid with preimageHex null', async () => {
    const guest = await open('guest', 'guest');
    network.node('guest')?.setFault({ kind: 'no_preimage' });
    expect(await guest.payInvoice(mint(2 * SAT).paymentRequest)).toEqual({ status: 'paid', preimageHex: null, feesPaidMsat: 1_020 });
  });

  it('a relay that is down gives unknown/wallet_unreachable for a payment and for get_info', async () => {
    const deadPort = await freePort();
    const url = (await wallets.connect('guest', 'guest')).replace(
      encodeURIComponent(relay.url),
      encodeURIComponent(`ws://127.0.0.1:${deadPort}`),
    );
    const result = openNwcWallet(url, { timeouts: FAST });
    if (!result.ok) throw new Error(result.reason);
    opened.push(result.wallet);
    expect(await result.wallet.payInvoice(mint(SAT).paymentRequest)).toMatchObject({ status: 'unknown', reason: 'wallet_unreachable' });
    expect(await result.wallet.getInfo()).toMatchObject({ ok: false, outcome: 'unknown', reason: 'wallet_unreachable' });
  });

  it('refuses a bad connection string before any traffic', () => {
    expect(openNwcWallet('nostr+walletconnect://abc?relay=ws://x&secret=00')).toEqual({ ok: false, reason: 'invalid_wallet_pubkey' });
  });

  // Last: it stops the wallet service for good.
  it('a wallet service that is down (relay up) gives unknown/reply_timeout, never a failure', async () => {
    const guest = await open('guest', 'guest');
    wallets.close();
    expect(await guest.getBalance()).toMatchObject({ ok: false, outcome: 'unknown', reason: 'reply_timeout' });
    expect(await guest.payInvoice(mint(SAT).paymentRequest)).toMatchObject({ status: 'unknown', reason: 'reply_timeout' });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
