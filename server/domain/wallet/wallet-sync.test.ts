import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, type Msat } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createWalletRepository, type WalletRepository } from '../../db/repositories/wallet-repository';
import type { AlertInput } from '../alerts';
import { createLedger, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import { createLeases } from '../background';
import { creditUserFunding } from '../payments';
import type { WalletPort, WalletTransaction } from '../ports/wallet';
import { fakeReadOnlyWallet, invoiceMadeFor } from './test-support';
import { createWalletSync } from './wallet-sync';

const USER = 'user-1';
const SAT = 1_000;

describe('wallet reconciliation job', () => {
  let handle: DatabaseHandle;
  let ledger: Ledger;
  let repo: WalletRepository;
  let nowMs: number;
  let balanceMsat: number;
  let transactions: WalletTransaction[];
  let alerts: AlertInput[];
  let sync: ReturnType<typeof createWalletSync>;

  const wallet = (): WalletPort => ({
    ...fakeReadOnlyWallet({ balance: { ok: true, value: { balanceMsat: msat(balanceMsat) } } }),
    listTransactions: async () => ({ ok: true, value: { transactions } }),
    lookupInvoice: async () => ({ ok: false, outcome: 'refused', reason: 'not_found', message: 'unknown' }),
  });
  const settled = (direction: 'incoming' | 'outgoing', sats: number, tag: string, feeMsat = 0): WalletTransaction => ({
    ...invoiceMadeFor(`lnbcrt-${tag}`, sats, Math.floor(nowMs / 1000) - 3600),
    direction,
    state: 'settled',
    feesPaidMsat: msat(feeMsat) as Msat,
    settledAtSec: Math.floor(nowMs / 1000) - 600,
  });

  beforeEach(() => {
    handle = openDatabase(':memory:');
    nowMs = 1_800_000_000_000;
    ledger = createLedger(handle, { now: () => nowMs });
    repo = createWalletRepository(handle.db);
    handle.sqlite.prepare("INSERT INTO users (id, email, password_hash, role, time_zone, display_currency, created_at_ms) VALUES (?, 'a@example.com', 'x', 'user', 'UTC', 'USD', 0)").run(USER);
    handle.sqlite.prepare("INSERT INTO user_wallets (user_id, source, nwc_url_ciphertext, created_at_ms) VALUES (?, 'provisioned', 'sealed', 0)").run(USER);
    expect(creditUserFunding(ledger, { userId: USER, amountMsat: msat(100_000 * SAT), idempotencyKey: 'welcome' }).ok).toBe(true);
    balanceMsat = 100_000 * SAT;
    transactions = [];
    alerts = [];
    sync = createWalletSync({
      repo,
      ledger,
      walletFor: async () => wallet(),
      notify: (_userId, alert) => alerts.push(alert),
      transaction: (fn) => handle.db.transaction(() => fn(), { behavior: 'immediate' }),
      leases: createLeases({ db: handle.db, now: () => nowMs }),
      now: () => nowMs,
    });
  });
  afterEach(() => {
    ledger.checkInvariants();
    handle.close();
  });

  // An unknown withdrawal is never voided blindly: "not found" just after the invoice's expiry may be
  // the wallet not having reached a request it still pays (a queued request, a clock ahead of the
  // wallet's), and a hold released then lets the person spend sats that left. Payments wait 10 minutes.
  it('keeps a withdrawal the wallet does not know until its invoice has been expired for 10 minutes', async () => {
    const expiresAtMs = nowMs - 60_000;
    const held = ledger.transfer({ idempotencyKey: 'withdraw:w1:hold', debit: userAvailableAccount(USER), credit: userWithdrawingAccount(USER), amountMsat: msat(1_010 * SAT), reason: 'withdrawal' });
    expect(held.ok).toBe(true);
    repo.insertOperation({ id: 'w1', userId: USER, kind: 'withdraw', status: 'paying', paymentHash: 'cd'.repeat(32), invoice: 'lnbcrt1w', amountMsat: 1_000 * SAT,
      feeAllowanceMsat: 10 * SAT, feeMsat: null, failureReason: null, expiresAtMs, createdAtMs: expiresAtMs - 600_000, settledAtMs: null });

    expect((await sync.syncUser(USER))?.operations).toEqual({ settled: [], failed: [] });
    expect(repo.operation(USER, 'w1')?.status).toBe('paying');
    expect(ledger.userBalances(USER).availableMsat).toBe(100_000 * SAT - 1_010 * SAT);

    nowMs = expiresAtMs + 10 * 60_000 + 1;
    expect((await sync.syncUser(USER))?.operations).toEqual({ settled: [], failed: ['w1'] });
    expect(ledger.userBalances(USER).availableMsat).toBe(100_000 * SAT);
  });

  it('records money paid in and out outside Steward once each, and then agrees', async () => {
    transactions = [settled('incoming', 500, 'in'), settled('outgoing', 200, 'out', 1_000)];
    balanceMsat += 500 * SAT - 200 * SAT - 1_000;
    const first = await sync.syncOnce();
    expect(first[0]?.outside.map((m) => [m.outcome, m.amountMsat])).toEqual([
      ['recorded_incoming', 500 * SAT],
      ['recorded_outgoing', 201 * SAT],
    ]);
    expect(first[0]?.reconciliation?.status).toBe('agree');
    expect(ledger.userBalances(USER).availableMsat).toBe(balanceMsat);
    expect((await sync.syncOnce())[0]?.outside).toEqual([]);
    expect(alerts.map((a) => a.kind)).toEqual(['wallet_movement', 'wallet_movement']);
  });

  it('leaves a person another instance is syncing to it, and syncs them once that instance is done', async () => {
    transactions = [settled('incoming', 500, 'in')];
    balanceMsat += 500 * SAT;
    const elsewhere = createLeases({ db: handle.db, now: () => nowMs, holderId: 'other-instance' });
    let release = () => undefined as void;
    const holding = elsewhere.withLease('sync_wallet', USER, () => new Promise<void>((resolve) => (release = resolve)));
    expect(await sync.syncOnce()).toEqual([]);
    expect(ledger.userBalances(USER).availableMsat).toBe(100_000 * SAT); // nothing recorded by this instance
    release();
    await holding;
    expect((await sync.syncOnce())[0]?.outside.map((m) => m.outcome)).toEqual(['recorded_incoming']);
    expect(alerts.map((a) => a.kind)).toEqual(['wallet_movement']);
  });

  it('leaves a just-settled transaction to whoever started it', async () => {
    transactions = [{ ...settled('incoming', 500, 'fresh'), settledAtSec: Math.floor(nowMs / 1000) - 10 }];
    expect((await sync.syncOnce())[0]?.outside).toEqual([]);
    expect(ledger.userBalances(USER).availableMsat).toBe(100_000 * SAT);
  });

  it('alerts once, with the amounts, about a drift it cannot explain, and again only when it changes', async () => {
    balanceMsat -= 7 * SAT;
    const [first] = await sync.syncOnce();
    expect(first?.driftAlerted).toBe(true);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'wallet_drift', data: { walletMsat: 99_993 * SAT, ledgerMsat: 100_000 * SAT, differenceMsat: -7 * SAT } })]);
    expect((await sync.syncOnce())[0]?.driftAlerted).toBe(false);
    balanceMsat -= 1 * SAT;
    expect((await sync.syncOnce())[0]?.driftAlerted).toBe(true);
    expect(alerts).toHaveLength(2);
  });

  it('names an outside payment beyond the balance "uncovered" once, not on every pass', async () => {
    expect(ledger.transfer({ idempotencyKey: 'drain', debit: { kind: 'user_available', userId: USER }, credit: { kind: 'lightning' }, amountMsat: msat(100_000 * SAT) }).ok).toBe(true);
    transactions = [settled('outgoing', 300, 'big')];
    const [first] = await sync.syncOnce();
    expect(first?.outside).toEqual([expect.objectContaining({ outcome: 'uncovered_outgoing', amountMsat: 300 * SAT })]);
    expect((await sync.syncOnce())[0]?.outside).toEqual([]);
    expect(alerts.filter((a) => a.kind === 'wallet_movement')).toHaveLength(1);
  });
});
