import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createWalletRepository, type WalletRepository } from '../../db/repositories/wallet-repository';
import { createLedger, providerAccount, type Ledger } from '../ledger';
import { creditUserFunding } from '../payments';
import type { InvoiceFacts } from '../ports/invoice';
import type { PayInvoiceResult, WalletPort } from '../ports/wallet';
import { fakeReadOnlyWallet } from './test-support';
import { checkWallet } from './own-wallet';
import { createWithdraw } from './withdraw';

const USER = 'user-1';
const SAT = 1_000;
const HASH = 'ab'.repeat(32);
const META = { ip: null, userAgent: null };

describe('withdraw', () => {
  let handle: DatabaseHandle;
  let ledger: Ledger;
  let repo: WalletRepository;
  let nowMs: number;
  let walletBalanceMsat: number;
  let payAnswers: PayInvoiceResult[];
  let pays: number;
  let invoice: InvoiceFacts;
  let owedMsat: number;
  let balanceAnswer: Awaited<ReturnType<WalletPort['getBalance']>> | null;

  const wallet = (): WalletPort => ({
    ...fakeReadOnlyWallet({ balance: balanceAnswer ?? { ok: true, value: { balanceMsat: msat(walletBalanceMsat) } } }),
    payInvoice: async () => {
      pays++;
      return payAnswers.shift() ?? { status: 'paid', preimageHex: null, feesPaidMsat: msat(1_000) };
    },
  });
  const withdrawal = (passwordOk = true) =>
    createWithdraw({
      repo,
      ledger,
      debts: { owedMsat: () => owedMsat },
      walletFor: async () => wallet(),
      decodeInvoice: () => ({ ok: true, invoice }),
      network: 'regtest',
      proof: { stepUp: { authorize: () => ({ ok: true }) }, twoFactorEnabled: () => false, checkPassword: async () => passwordOk },
      transaction: (fn) => handle.db.transaction(() => fn(), { behavior: 'immediate' }),
      audit: () => undefined,
      now: () => nowMs,
    });

  beforeEach(() => {
    handle = openDatabase(':memory:');
    nowMs = 1_800_000_000_000;
    ledger = createLedger(handle, { now: () => nowMs });
    repo = createWalletRepository(handle.db);
    expect(creditUserFunding(ledger, { userId: USER, amountMsat: msat(10_000 * SAT), idempotencyKey: 'funds' }).ok).toBe(true);
    walletBalanceMsat = 10_000 * SAT;
    payAnswers = [];
    pays = 0;
    owedMsat = 0;
    balanceAnswer = null;
    invoice = { network: 'regtest', amountMsat: msat(1_000 * SAT), paymentHashHex: HASH, expiresAtSec: nowMs / 1000 + 600, description: null };
  });
  afterEach(() => {
    ledger.checkInvariants();
    handle.close();
  });

  it('refuses without the proof and holds nothing', async () => {
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1' }, META)).toEqual({ ok: false, reason: 'wallet_password_required' });
    expect(await withdrawal(false).withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'wrong' }, META)).toEqual({ ok: false, reason: 'wrong_password' });
    expect(ledger.userBalances(USER).availableMsat).toBe(10_000 * SAT);
    expect(pays).toBe(0);
  });

  it('refuses while a refunded top-up is still owed, holds nothing and pays nothing; once repaid it pays', async () => {
    owedMsat = 2_000 * SAT;
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toEqual({ ok: false, reason: 'account_in_debt' });
    expect(ledger.userBalances(USER).availableMsat).toBe(10_000 * SAT);
    expect(pays).toBe(0);
    owedMsat = 0;
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toMatchObject({ ok: true, outcome: { status: 'paid' } });
    expect(pays).toBe(1);
  });

  it('refuses an invoice on another network, without an amount, or about to expire', async () => {
    invoice = { ...invoice, network: 'mainnet' };
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbc1', password: 'pw' }, META)).toMatchObject({ reason: 'wrong_network' });
    invoice = { ...invoice, network: 'regtest', amountMsat: null };
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toMatchObject({ reason: 'amountless_invoice' });
    invoice = { ...invoice, amountMsat: msat(SAT), expiresAtSec: nowMs / 1000 + 10 };
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toMatchObject({ reason: 'invoice_expired' });
  });

  it('refuses while it would leave a pending spend uncovered by what the wallet holds', async () => {
    const held = ledger.reserve({ idempotencyKey: 'spend', userId: USER, destination: providerAccount('jokes'), amountMsat: msat(8_000 * SAT), expiresAtMs: nowMs + 60_000 });
    expect(held.ok).toBe(true);
    // The ledger still has 2,000 sats available, but the wallet must also keep 8,000 for the spend.
    walletBalanceMsat = 8_500 * SAT;
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toEqual({ ok: false, reason: 'would_uncover_pending_spends' });
    expect(pays).toBe(0);
  });

  it('names a relay the guard refused apart from a wallet that is down, and holds and pays nothing', async () => {
    balanceAnswer = { ok: false, outcome: 'unknown', reason: 'relay_not_allowed', message: 'relay_not_allowed: relay.example resolves to 10.0.0.5, private' };
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toEqual({ ok: false, reason: 'relay_not_allowed' });
    balanceAnswer = { ok: false, outcome: 'unknown', reason: 'reply_timeout', message: 'no answer' };
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toEqual({ ok: false, reason: 'wallet_unreachable' });
    expect(pays).toBe(0);
    expect(ledger.userBalances(USER).availableMsat).toBe(10_000 * SAT);
  });

  // The wallet switch refuses while a withdrawal's hold is written, so a change that committed while
  // the proof was checked came first: the hold is on the new wallet's balance, and that wallet pays.
  it('pays from the wallet in use once the hold is written, not the one read before the proof', async () => {
    const paidBy: string[] = [];
    const named = (name: string): WalletPort => ({
      ...wallet(),
      payInvoice: async () => {
        paidBy.push(name);
        return { status: 'paid', preimageHex: null, feesPaidMsat: msat(0) };
      },
    });
    let asked = 0;
    const switched = createWithdraw({
      repo,
      ledger,
      debts: { owedMsat: () => 0 },
      walletFor: async () => (asked++ === 0 ? named('before') : named('after')),
      decodeInvoice: () => ({ ok: true, invoice }),
      network: 'regtest',
      proof: { stepUp: { authorize: () => ({ ok: true }) }, twoFactorEnabled: () => false, checkPassword: async () => true },
      transaction: (fn) => handle.db.transaction(() => fn(), { behavior: 'immediate' }),
      audit: () => undefined,
      now: () => nowMs,
    });
    expect(await switched.withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toMatchObject({ ok: true, outcome: { status: 'paid' } });
    expect(paidBy).toEqual(['after']);
  });

  it('keeps an unknown outcome pending and never pays the invoice again', async () => {
    payAnswers.push({ status: 'unknown', reason: 'reply_timeout', message: 'slow' });
    const first = await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META);
    expect(first).toMatchObject({ ok: true, outcome: { status: 'pending' } });
    expect(ledger.userBalances(USER).availableMsat).toBe(10_000 * SAT - 1_000 * SAT - 10_000);
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toEqual({ ok: false, reason: 'already_withdrawn' });
    expect(pays).toBe(1);
  });

  it('returns the whole hold when the wallet definitely did not pay', async () => {
    payAnswers.push({ status: 'failed', reason: 'payment_failed', message: 'no route' });
    expect(await withdrawal().withdraw({ userId: USER, invoice: 'lnbcrt1', password: 'pw' }, META)).toMatchObject({ ok: true, outcome: { status: 'failed' } });
    expect(ledger.userBalances(USER).availableMsat).toBe(10_000 * SAT);
  });
});

describe('checking a wallet before it is connected', () => {
  const withMethods = (methods: string[]) =>
    fakeReadOnlyWallet({
      info: { ok: true, value: { alias: 'w', network: 'regtest', networkReported: 'regtest', pubkeyHex: '02', blockHeight: 1, methods } },
      balance: { ok: true, value: { balanceMsat: msat(5_000) } },
    });

  it('names what is missing, and tells silence apart from a refusal', async () => {
    expect(await checkWallet(withMethods(['get_balance']), 'regtest')).toEqual({ ok: false, reason: 'pay_invoice_not_allowed' });
    expect(await checkWallet(withMethods(['pay_invoice']), 'regtest')).toEqual({ ok: false, reason: 'get_balance_not_allowed' });
    expect(await checkWallet(withMethods(['pay_invoice', 'get_balance']), 'mainnet')).toEqual({ ok: false, reason: 'wrong_network' });
    const silent = { ok: false, outcome: 'unknown', reason: 'reply_timeout', message: '' } as const;
    expect(await checkWallet(fakeReadOnlyWallet({ info: silent, balance: silent }), 'regtest')).toEqual({ ok: false, reason: 'wallet_unreachable' });
    // A relay the guard refused is named: the person must change it, waiting will not help.
    const guarded = { ok: false, outcome: 'unknown', reason: 'relay_not_allowed', message: 'relay_not_allowed: relay.example resolves to 10.0.0.5, private' } as const;
    expect(await checkWallet(fakeReadOnlyWallet({ info: guarded, balance: guarded }), 'regtest')).toEqual({ ok: false, reason: 'relay_not_allowed' });
    expect(await checkWallet(withMethods(['pay_invoice', 'get_balance']), 'regtest')).toMatchObject({ ok: true, wallet: { balanceMsat: 5_000, budget: { kind: 'unsupported' } } });
  });
});
