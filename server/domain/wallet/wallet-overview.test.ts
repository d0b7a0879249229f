import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, msatToUsdCentsFloor, msatToUsdCentsRoundHalfUp } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { TEST_RATE } from '../quotes/test-support';
import { createLedger, providerAccount, type Ledger } from '../ledger';
import { creditUserFunding } from '../payments';
import type { WalletPort } from '../ports/wallet';
import { balanceOfSats as balanceOf, fakeReadOnlyWallet } from './test-support';
import { createWalletOverview, type WalletOverview } from './wallet-overview';

const USER = 'user-1';
const OTHER = 'user-2';


describe('wallet overview', () => {
  let handle: DatabaseHandle;
  let ledger: Ledger;
  let nowMs: number;
  let wallets: Map<string, WalletPort>;
  let overview: WalletOverview;

  beforeEach(() => {
    handle = openDatabase(':memory:');
    nowMs = 1_700_000_000_000;
    ledger = createLedger(handle, { now: () => nowMs });
    wallets = new Map();
    overview = createWalletOverview({
      database: handle,
      ledger,
      walletFor: async (userId) => wallets.get(userId) ?? null,
      sourceOf: (userId) => (wallets.has(userId) ? 'provisioned' : null),
      rates: { current: async () => TEST_RATE },
      operationStatuses: () => new Map(),
    });
    const welcome = creditUserFunding(ledger, { userId: USER, amountMsat: msat(100_000_000), idempotencyKey: `sandbox-welcome:${USER}`, source: 'sandbox_welcome' });
    expect(welcome.ok).toBe(true);
  });
  afterEach(() => {
    ledger.checkInvariants();
    handle.close();
  });

  /** Holds `holdSats` for the provider; posts `paidSats` + `feeMsat` unless told to leave it pending. */
  function spend(key: string, holdSats: number, paid: { paidSats: number; feeMsat: number } | 'pending') {
    nowMs += 1000;
    const reserved = ledger.reserve({
      idempotencyKey: `${key}:reserve`,
      userId: USER,
      destination: providerAccount('satoshi-jokes'),
      amountMsat: msat(holdSats * 1000),
      expiresAtMs: nowMs + 60_000,
      metadata: { serviceId: 'satoshi-jokes/joke' },
    });
    if (!reserved.ok) throw new Error(reserved.reason);
    if (paid === 'pending') return;
    const posted = ledger.post({ idempotencyKey: `${key}:post`, reservationId: reserved.reservation.id, amountMsat: msat(paid.paidSats * 1000), feeMsat: msat(paid.feeMsat) });
    if (!posted.ok) throw new Error(posted.reason);
  }

  it('shows a new account its welcome credit: available, nothing held, in sats and dollars', async () => {
    const summary = await overview.summary(USER);
    expect(summary).toMatchObject({ availableMsat: 100_000_000, heldMsat: 0, totalMsat: 100_000_000, holds: [] });
    expect(summary.totalUsdCents).toBeGreaterThan(0);
    expect(summary.movements).toEqual([
      expect.objectContaining({ kind: 'welcome_credit', amountMsat: 100_000_000, feeMsat: 0, providerId: null }),
    ]);
  });

  it('lists payments with their fee, newest first, and keeps pending spends as holds, not movements', async () => {
    spend('p1', 12, { paidSats: 10, feeMsat: 1_010 });
    spend('p2', 30, 'pending');
    const summary = await overview.summary(USER);
    expect(summary.availableMsat).toBe(100_000_000 - 11_010 - 30_000);
    // In dollars a balance rounds down: never a cent more than is there.
    expect(summary.availableUsdCents).toBe(msatToUsdCentsFloor(msat(100_000_000 - 11_010 - 30_000), TEST_RATE));
    expect(msatToUsdCentsFloor(msat(100_000_000 - 11_010 - 30_000), TEST_RATE)).toBeLessThan(msatToUsdCentsRoundHalfUp(msat(100_000_000 - 11_010 - 30_000), TEST_RATE));
    expect(summary.heldMsat).toBe(30_000);
    expect(summary.holds).toEqual([expect.objectContaining({ amountMsat: 30_000, providerId: 'satoshi-jokes', serviceId: 'satoshi-jokes/joke' })]);
    expect(summary.movements.map((m) => [m.kind, m.amountMsat, m.feeMsat, m.providerId])).toEqual([
      ['payment', -10_000, 1_010, 'satoshi-jokes'],
      ['welcome_credit', 100_000_000, 0, null],
    ]);
  });

  it('names a fee charged on its own (a post that paid the provider nothing) as a fee', async () => {
    spend('overrun', 2, { paidSats: 0, feeMsat: 2_000 });
    const [latest] = (await overview.summary(USER)).movements;
    expect(latest).toMatchObject({ kind: 'fee', amountMsat: -2_000 });
  });

  it("never shows one person another person's money", async () => {
    spend('p1', 12, { paidSats: 10, feeMsat: 0 });
    const other = await overview.summary(OTHER);
    expect(other).toMatchObject({ availableMsat: 0, heldMsat: 0, holds: [], movements: [] });
  });

  it('agrees when the wallet holds what the ledger says, and names the wallet', async () => {
    wallets.set(USER, fakeReadOnlyWallet({ balance: balanceOf(100_000) }));
    const status = await overview.status(USER);
    expect(status.connection).toEqual({ state: 'connected', alias: 'sandbox user', network: 'regtest', networkReported: 'regtest', methods: ['pay_invoice', 'get_balance'] });
    expect(status.balance).toEqual({ state: 'known', balanceMsat: 100_000_000 });
    expect(status.reconciliation).toEqual({ status: 'agree', ledgerTotalMsat: 100_000_000, walletMsat: 100_000_000, differenceMsat: 0 });
  });

  it('calls a wallet lower by no more than what is held "settling", and lower by more "wallet_behind"', async () => {
    spend('p1', 30, 'pending');
    wallets.set(USER, fakeReadOnlyWallet({ balance: balanceOf(100_000 - 25) })); // paid, not yet posted
    expect((await overview.status(USER)).reconciliation).toMatchObject({ status: 'settling', differenceMsat: -25_000 });
    wallets.set(USER, fakeReadOnlyWallet({ balance: balanceOf(100_000 - 31) }));
    expect((await overview.status(USER)).reconciliation).toMatchObject({ status: 'wallet_behind', differenceMsat: -31_000 });
  });

  it('calls a wallet holding more than the ledger knows "wallet_ahead"', async () => {
    wallets.set(USER, fakeReadOnlyWallet({ balance: balanceOf(100_500) }));
    expect((await overview.status(USER)).reconciliation).toMatchObject({ status: 'wallet_ahead', differenceMsat: 500_000 });
  });

  it('says "unreachable" when the wallet does not answer, and does not reconcile', async () => {
    const silent = { ok: false, outcome: 'unknown', reason: 'reply_timeout', message: 'no reply' } as const;
    wallets.set(USER, fakeReadOnlyWallet({ info: silent, balance: silent }));
    expect(await overview.status(USER)).toEqual({
      source: 'provisioned',
      connection: { state: 'unreachable', reason: 'reply_timeout' },
      budget: null,
      balance: { state: 'unknown', reason: 'reply_timeout' },
      reconciliation: null,
    });
  });

  it('tells a refusal (e.g. a revoked connection) apart from silence', async () => {
    const refused = { ok: false, outcome: 'refused', reason: 'unauthorized', message: 'revoked' } as const;
    wallets.set(USER, fakeReadOnlyWallet({ info: refused, balance: refused }));
    expect(await overview.status(USER)).toMatchObject({ connection: { state: 'refused', reason: 'unauthorized' }, balance: { state: 'refused', reason: 'unauthorized' } });
  });

  it('says so when the person has no wallet connected', async () => {
    expect(await overview.status(USER)).toEqual({ source: null, connection: { state: 'none' }, budget: null, balance: null, reconciliation: null });
  });
});
