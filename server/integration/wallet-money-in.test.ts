/**
 * Money in and out of the spending wallet on the real sandbox stack (relay, NIP-47 wallets, simulated
 * Lightning): bring your own wallet (the sandbox `guest`), receive through an invoice, withdraw with
 * a fresh proof, and reconciliation of what moved outside Steward. Calls go through the real router
 * (callerOver), so who may do what is tested as people meet it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msat } from '../../shared/money';
import { callerOver, TEST_PASSWORD } from '../api/test-harness';
import type { ApiDeps } from '../api/context';
import { eq } from 'drizzle-orm';
import { disputes } from '../db/schema/disputes';
import { topUps } from '../db/schema/topups';
import { treasuryAccount, userAvailableAccount } from '../domain/ledger';
import { creditUserFunding } from '../domain/payments';
import { checkWallet } from '../domain/wallet/own-wallet';
import { createLogger } from '../logger';
import { openNwcWallet } from '../rails/nwc/nwc-wallet';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';
import { startAgentStack, WELCOME_BALANCE_MSAT, type AgentStack } from './agent-support';

const SAT = 1_000;

async function refusalOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return (error.cause as { reason?: string } | undefined)?.reason ?? error.code;
  }
}

describe('wallet money in and out over the sandbox', () => {
  let dir: string;
  let stack: AgentStack;
  let deps: ApiDeps;
  let guestUrl: string;

  const guest = () => {
    const opened = openNwcWallet(guestUrl);
    if (!opened.ok) throw new Error(opened.reason);
    return opened.wallet;
  };

  async function person(prefix: string) {
    const { caller, jar } = callerOver(deps, null);
    const { user } = await caller.auth.signUp({ email: `${prefix}-${Date.now()}@example.com`, password: TEST_PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' });
    const token = jar.token;
    if (!token) throw new Error('no session');
    return { id: user.id, caller: callerOver(deps, token).caller };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-wallet-'));
    stack = await startAgentStack(dir);
    deps = { mode: 'sandbox', version: 'test', logger: createLogger({ level: 'silent' }), ...stack };
    const connections = JSON.parse(readFileSync(join(dir, 'sandbox', 'connections.json'), 'utf8')) as { wallets: Record<string, string> };
    guestUrl = connections.wallets.guest ?? '';
    expect(guestUrl).toMatch(/^nostr\+walletconnect:/);
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses garbage connection strings with a named reason, and stores nothing', async () => {
    const alice = await person('garbage');
    for (const [input, reason] of [
      ['hello', 'not_a_connection_string'],
      ['nostr+walletconnect://not-hex?relay=wss://relay.example&secret=' + 'ab'.repeat(32), 'invalid_wallet_pubkey'],
      [`nostr+walletconnect://${'ab'.repeat(32)}?relay=https://relay.example&secret=${'cd'.repeat(32)}`, 'invalid_relay_url'],
      [`nostr+walletconnect://${'ab'.repeat(32)}?relay=wss://relay.example&secret=xyz`, 'invalid_secret'],
      // A relay on the operator's private network: refused before any connection, even in sandbox mode.
      [`nostr+walletconnect://${'ab'.repeat(32)}?relay=ws://10.1.2.3:7000&secret=${'cd'.repeat(32)}`, 'relay_not_allowed'],
    ] as const) {
      expect([input, await refusalOf(alice.caller.wallet.connectOwn({ connectionString: input, password: TEST_PASSWORD }))]).toEqual([input, reason]);
    }
    expect((await alice.caller.wallet.status()).source).toBe('provisioned');
  });

  it('refuses a wallet on another network by name', async () => {
    const wallet = guest();
    try {
      expect(await checkWallet(wallet, 'mainnet')).toEqual({ ok: false, reason: 'wrong_network' });
      expect(await checkWallet(wallet, 'regtest')).toMatchObject({ ok: true, wallet: { network: 'regtest' } });
    } finally {
      wallet.close();
    }
  });

  it('connects the guest wallet as their own only with the password, mirrors its balance, and disconnects back keeping history', async () => {
    const alice = await person('own');
    expect(await refusalOf(alice.caller.wallet.connectOwn({ connectionString: guestUrl }))).toBe('wallet_password_required');
    expect(await refusalOf(alice.caller.wallet.connectOwn({ connectionString: guestUrl, password: 'wrong-password-123' }))).toBe('wrong_password');
    expect((await alice.caller.wallet.summary()).availableMsat).toBe(WELCOME_BALANCE_MSAT);

    const connected = await alice.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD });
    const status = await alice.caller.wallet.status();
    expect(status).toMatchObject({ source: 'own', balance: { state: 'known', balanceMsat: connected.balanceMsat }, reconciliation: { status: 'agree' } });
    const summary = await alice.caller.wallet.summary();
    expect(summary.availableMsat).toBe(connected.balanceMsat);
    expect(summary.movements.slice(0, 2).map((m) => [m.kind, m.amountMsat])).toEqual([
      ['wallet_switch', connected.balanceMsat],
      ['wallet_switch', -WELCOME_BALANCE_MSAT],
    ]);

    const back = await alice.caller.wallet.disconnectOwn({ password: TEST_PASSWORD });
    expect(back.balanceMsat).toBe(WELCOME_BALANCE_MSAT);
    expect(await alice.caller.wallet.summary()).toMatchObject({ availableMsat: WELCOME_BALANCE_MSAT });
    expect((await alice.caller.wallet.summary()).movements.filter((m) => m.kind === 'welcome_credit')).toHaveLength(1);
    stack.ledger.checkInvariants();
  });

  it('asks a person with 2FA for a code bound to the withdrawal, and refuses a code used before', async () => {
    const hana = await person('twofactor');
    const begun = await hana.caller.security.beginTotpEnrollment();
    // Codes are counted from one instant: reading the clock per code would let a 30 s step boundary turn the
    // "replayed" code into the next, fresh one.
    const baseS = Math.floor(Date.now() / 1000);
    const codeAt = (offsetSteps: number) => generateSync({ secret: begun.secret, epoch: baseS + offsetSteps * 30 });
    await hana.caller.security.confirmTotpEnrollment({ code: codeAt(0), password: TEST_PASSWORD });
    const payee = guest();
    try {
      const made = await payee.makeInvoice({ amountMsat: msat(100 * SAT), description: '2fa withdraw', expirySec: 600 });
      if (!made.ok || !made.value.invoice) throw new Error('guest made no invoice');
      const invoice = made.value.invoice;
      expect(await refusalOf(hana.caller.wallet.withdraw({ invoice }))).toBe('wallet_code_required');
      // The password is not enough once 2FA is on, and the enrolment's own code cannot be replayed.
      expect(await refusalOf(hana.caller.wallet.withdraw({ invoice, password: TEST_PASSWORD }))).toBe('wallet_code_required');
      expect(await refusalOf(hana.caller.wallet.withdraw({ invoice, code: codeAt(0) }))).toBe('code_already_used');
      expect((await hana.caller.wallet.summary()).availableMsat).toBe(WELCOME_BALANCE_MSAT);
      expect(await hana.caller.wallet.withdraw({ invoice, code: codeAt(1) })).toMatchObject({ status: 'paid' });
    } finally {
      payee.close();
    }
  });

  it('refuses to change wallets while a spend is pending', async () => {
    const carol = await person('pending');
    const held = stack.ledger.reserve({ idempotencyKey: `hold:${carol.id}`, userId: carol.id, destination: { kind: 'provider', provider: 'satoshi-jokes' }, amountMsat: msat(5 * SAT), expiresAtMs: Date.now() + 60_000 });
    expect(held.ok).toBe(true);
    expect(await refusalOf(carol.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD }))).toBe('pending_spends');
    expect((await carol.caller.wallet.status()).source).toBe('provisioned');
  });

  // A top-up's or a refund's invoice is made on the wallet in use and stored; once the person has
  // changed wallets, the new one does not know it, and the treasury (or a provider) may already have
  // paid the old one: the next attempt would have made a new invoice and paid it again.
  it('refuses to change wallets while a top-up is being funded or a refund paid into the wallet in use', async () => {
    const dave = await person('incoming');
    const nowMs = Date.now();
    const topUp = { id: `topup-${dave.id}`, userId: dave.id, amountUsdCents: 1_000, amountMsat: 10_000 * SAT, rateUsdCents: 10_000_000, ratePerMsat: 1,
      spreadBps: 300, effectiveCentsPerBtc: 9_700_000, invoice: 'lnbcrt100u1stored', paymentHash: 'ef'.repeat(32), createdAtMs: nowMs, updatedAtMs: nowMs };
    stack.database.db.insert(topUps).values({ ...topUp, status: 'funding' }).run();
    expect(await refusalOf(dave.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD }))).toBe('money_on_its_way');
    // One whose invoice is not made yet (waiting for a wallet, say) will be made on the wallet then in use.
    stack.database.db.insert(topUps).values({ ...topUp, id: `topup2-${dave.id}`, status: 'paid', invoice: null, paymentHash: null }).run();
    expect((await dave.caller.wallet.status()).source).toBe('provisioned');

    stack.database.db.update(topUps).set({ status: 'funded', fundedAtMs: nowMs }).where(eq(topUps.id, topUp.id)).run();
    stack.database.db.insert(disputes).values({ id: `dispute-${dave.id}`, userId: dave.id, taskId: 't', stepId: 's', paymentId: `payment-${dave.id}`, status: 'refunding',
      category: 'not_delivered', openedBy: 'automatic', reason: 'paid, not delivered', disputedMsat: 5 * SAT, refundMsat: 5 * SAT, evidenceJson: '{}',
      transitionsJson: '[]', providerStep: 'declined', refundInvoice: 'lnbcrt5u1refund', refundPaymentHash: '12'.repeat(32), createdAtMs: nowMs, updatedAtMs: nowMs }).run();
    expect(await refusalOf(dave.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD }))).toBe('money_on_its_way');
    expect((await dave.caller.wallet.status()).source).toBe('provisioned');

    stack.database.db.update(disputes).set({ status: 'refunded' }).where(eq(disputes.userId, dave.id)).run();
    await dave.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD });
    expect((await dave.caller.wallet.status()).source).toBe('own');
  });

  // A refunded or disputed card top-up is taken back in the ledger (available -> treasury), while its
  // sats stay in the provisioned wallet the operator holds. Changing wallets credits what the wallet
  // in use holds, so connecting an own wallet and disconnecting again made those sats spendable.
  it('does not give back a refunded top-up\'s sats when the person changes wallets and back', async () => {
    const erin = await person('frozen');
    const provisioned = await stack.wallet.walletFor(erin.id);
    if (!provisioned) throw new Error('no provisioned wallet');
    const refundedMsat = 2_000 * SAT;
    const made = await provisioned.makeInvoice({ amountMsat: msat(refundedMsat), description: 'Steward top-up', expirySec: 600 });
    if (!made.ok) throw new Error(made.message);
    const payer = guest();
    try {
      expect((await payer.payInvoice(made.value.invoice ?? '')).status).toBe('paid');
    } finally {
      payer.close();
    }
    // Funded (payments/funding.ts), then refunded in full (topups/reversal.ts): net nothing in the ledger.
    const nowMs = Date.now();
    expect(creditUserFunding(stack.ledger, { userId: erin.id, amountMsat: msat(refundedMsat), idempotencyKey: `topup:topup-${erin.id}`, paymentHash: made.value.paymentHashHex }).ok).toBe(true);
    const taken = stack.ledger.transfer({ idempotencyKey: `topup:topup-${erin.id}:reverse:0`, debit: userAvailableAccount(erin.id), credit: treasuryAccount,
      amountMsat: msat(refundedMsat), reason: 'top_up_refunded', metadata: { userId: erin.id, topUpId: `topup-${erin.id}`, wallet: 'provisioned' } });
    expect(taken.ok).toBe(true);
    stack.database.db.insert(topUps).values({ id: `topup-${erin.id}`, userId: erin.id, status: 'refunded', amountUsdCents: 200, amountMsat: refundedMsat, rateUsdCents: 10_000_000,
      ratePerMsat: 1, spreadBps: 300, effectiveCentsPerBtc: 9_700_000, invoice: made.value.invoice, paymentHash: made.value.paymentHashHex, refundedUsdCents: 200,
      reversedMsat: refundedMsat, createdAtMs: nowMs, updatedAtMs: nowMs, fundedAtMs: nowMs }).run();
    expect((await erin.caller.wallet.summary()).availableMsat).toBe(WELCOME_BALANCE_MSAT);

    await erin.caller.wallet.connectOwn({ connectionString: guestUrl, password: TEST_PASSWORD });
    const back = await erin.caller.wallet.disconnectOwn({ password: TEST_PASSWORD });
    expect(back.balanceMsat).toBe(WELCOME_BALANCE_MSAT);
    expect((await erin.caller.wallet.summary()).availableMsat).toBe(WELCOME_BALANCE_MSAT);
    stack.ledger.checkInvariants();
  });

  it('receives 1,000 sats through an invoice, credited exactly once however often it is noticed', async () => {
    const dave = await person('receive');
    const receive = await dave.caller.wallet.createInvoice({ amountSat: 1_000 });
    expect(receive).toMatchObject({ status: 'open', amountMsat: 1_000 * SAT });
    const payer = guest();
    try {
      expect((await payer.payInvoice(receive.invoice)).status).toBe('paid');
    } finally {
      payer.close();
    }
    expect(await dave.caller.wallet.receiveStatus({ id: receive.id })).toMatchObject({ status: 'settled' });
    expect(await dave.caller.wallet.receiveStatus({ id: receive.id })).toMatchObject({ status: 'settled' });
    await stack.wallet.sync.syncUser(dave.id);
    const summary = await dave.caller.wallet.summary();
    expect(summary.availableMsat).toBe(WELCOME_BALANCE_MSAT + 1_000 * SAT);
    expect(summary.movements.filter((m) => m.kind === 'receipt')).toHaveLength(1);
    expect((await dave.caller.wallet.status()).reconciliation).toMatchObject({ status: 'agree' });

    // Another person cannot see it, nor find it by id.
    const eve = await person('snoop');
    expect(await refusalOf(eve.caller.wallet.receiveStatus({ id: receive.id }))).toBe('not_found');
    expect((await eve.caller.wallet.exportMovements()).csv).not.toContain('receipt');
  });

  it('withdraws only with a fresh proof, never pays one invoice twice, and keeps ledger and wallet in agreement', async () => {
    const frank = await person('withdraw');
    const payee = guest();
    try {
      const made = await payee.makeInvoice({ amountMsat: msat(2_000 * SAT), description: 'withdraw test', expirySec: 600 });
      if (!made.ok || !made.value.invoice) throw new Error('guest made no invoice');
      const invoice = made.value.invoice;
      expect(await refusalOf(frank.caller.wallet.withdraw({ invoice }))).toBe('wallet_password_required');
      // Another person's session withdraws from their own wallet and ledger only, never from frank's.
      const intruder = await person('intruder');
      const other = await payee.makeInvoice({ amountMsat: msat(500 * SAT), description: 'intruder', expirySec: 600 });
      if (!other.ok || !other.value.invoice) throw new Error('guest made no invoice');
      expect(await intruder.caller.wallet.withdraw({ invoice: other.value.invoice, password: TEST_PASSWORD })).toMatchObject({ status: 'paid' });
      expect((await intruder.caller.wallet.summary()).availableMsat).toBeLessThan(WELCOME_BALANCE_MSAT);
      expect((await frank.caller.wallet.summary()).availableMsat).toBe(WELCOME_BALANCE_MSAT);
      expect((await frank.caller.wallet.status()).balance).toEqual({ state: 'known', balanceMsat: WELCOME_BALANCE_MSAT });
      expect((await frank.caller.wallet.exportMovements()).csv).not.toContain('withdrawal');

      const outcome = await frank.caller.wallet.withdraw({ invoice, password: TEST_PASSWORD });
      expect(outcome).toMatchObject({ status: 'paid', amountMsat: 2_000 * SAT });
      const feeMsat = outcome.status === 'paid' ? outcome.feeMsat : 0;
      expect(await refusalOf(frank.caller.wallet.withdraw({ invoice, password: TEST_PASSWORD }))).toBe('already_withdrawn');

      const summary = await frank.caller.wallet.summary();
      expect(summary.availableMsat).toBe(WELCOME_BALANCE_MSAT - 2_000 * SAT - feeMsat);
      expect(summary.heldMsat).toBe(0);
      expect((await frank.caller.wallet.status()).reconciliation).toMatchObject({ status: 'agree' });
      // A movement of the person's own money, not budget spend.
      expect(stack.governance.status(frank.id, 'UTC', await createFixedExchangeRate().current()).summary.usedMsat).toBe(0);
      const csv = (await frank.caller.wallet.exportMovements()).csv;
      expect(csv.split('\r\n')[0]).toBe('date_utc,kind,status,amount_sat,fee_sat,provider,service,note,id');
      // The hold (amount + fee allowance) went out; what the fee did not use came back.
      expect(csv).toMatch(/,withdrawal,completed,-2020\.000,0\.000,,,,\d+\r\n/);
      expect(csv).toContain(`,withdrawal_returned,completed,${(20 - feeMsat / SAT).toFixed(3)},`);
    } finally {
      payee.close();
    }
    stack.ledger.checkInvariants();
  });

  it('records money that reached the wallet outside Steward once, and alerts about it', async () => {
    const gina = await person('outside');
    const own = await stack.wallet.walletFor(gina.id);
    const made = await own?.makeInvoice({ amountMsat: msat(300 * SAT), description: 'outside' });
    if (!made?.ok || !made.value.invoice) throw new Error('no invoice');
    const payer = guest();
    try {
      expect((await payer.payInvoice(made.value.invoice)).status).toBe('paid');
    } finally {
      payer.close();
    }
    expect((await gina.caller.wallet.status()).reconciliation).toMatchObject({ status: 'wallet_ahead', differenceMsat: 300 * SAT });
    const first = await stack.wallet.sync.syncUser(gina.id, { settleGraceMs: 0 });
    expect(first?.outside).toEqual([expect.objectContaining({ outcome: 'recorded_incoming', amountMsat: 300 * SAT })]);
    expect(first?.reconciliation).toMatchObject({ status: 'agree' });
    const second = await stack.wallet.sync.syncUser(gina.id, { settleGraceMs: 0 });
    expect(second?.outside).toEqual([]);
    const summary = await gina.caller.wallet.summary();
    expect(summary.availableMsat).toBe(WELCOME_BALANCE_MSAT + 300 * SAT);
    expect(summary.movements[0]).toMatchObject({ kind: 'receipt', note: 'outside', amountMsat: 300 * SAT });
    expect(stack.alerts.list(gina.id).filter((a) => a.kind === 'wallet_movement')).toHaveLength(1);
  });
});
