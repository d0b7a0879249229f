/**
 * Card top-ups end to end on the sandbox: a Checkout Session created with the real `stripe` client on
 * the sandbox's Stripe API, paid on its hosted page, the signed webhook served by the app's route, and
 * the sats paid by the sandbox treasury into the person's wallet over NWC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdCents } from '../../shared/money';
import { signUpOnStack, WELCOME_BALANCE_MSAT } from './agent-support';
import { payWithCard, startTopUpStack, untilTopUp, walletBalanceOverNwc, type TopUpStack } from './topup-support';

let dir: string;
let stack: TopUpStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-topups-'));
  stack = await startTopUpStack(dir);
}, 60_000);
afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});


describe('card top-ups on the sandbox', () => {
  it('a $10 top-up paid with 4242 raises the wallet balance read over NWC by exactly the quoted sats', async () => {
    const userId = await signUpOnStack(stack, 'topup');
    const before = await walletBalanceOverNwc(stack.accounts.accounts.walletConnection, userId);
    expect(before).toBe(WELCOME_BALANCE_MSAT);
    const created = await stack.topUps.create(userId, usdCents(1_000));
    if (!created.ok) throw new Error(created.reason);
    expect(created.topUp).toMatchObject({ status: 'created', amountMsat: 9_700_000, spreadBps: 300 });
    const paid = await payWithCard(created.topUp.checkoutUrl ?? '', '4242 4242 4242 4242');
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`${stack.publicUrl}/wallet/top-ups/${created.topUp.id}`);
    const funded = await untilTopUp(stack, userId, created.topUp.id, (s) => s === 'funded');
    expect(funded.amountMsat).toBe(9_700_000);
    expect(await walletBalanceOverNwc(stack.accounts.accounts.walletConnection, userId)).toBe(before + 9_700_000);
    expect(stack.ledger.userBalances(userId).availableMsat).toBe(before + 9_700_000);
    // The wallet's reconciliation sees the funding payment in the wallet and knows it is this top-up:
    // nothing is recorded a second time as money from outside, no drift alert.
    const sync = await stack.wallet.sync.syncUser(userId, { settleGraceMs: 0 });
    expect(sync?.outside).toEqual([]);
    expect(sync?.driftAlerted).toBe(false);
    expect(stack.ledger.userBalances(userId).availableMsat).toBe(before + 9_700_000);
  }, 60_000);

  it('a declined card changes nothing', async () => {
    const userId = await signUpOnStack(stack, 'declined');
    const created = await stack.topUps.create(userId, usdCents(1_000));
    if (!created.ok) throw new Error(created.reason);
    const declined = await payWithCard(created.topUp.checkoutUrl ?? '', '4000 0000 0000 0002');
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await stack.topUps.fundingPass();
    expect(stack.topUps.get(userId, created.topUp.id)).toMatchObject({ ok: true, topUp: { status: 'created' } });
    expect(await walletBalanceOverNwc(stack.accounts.accounts.walletConnection, userId)).toBe(WELCOME_BALANCE_MSAT);
    expect(stack.ledger.userBalances(userId).availableMsat).toBe(WELCOME_BALANCE_MSAT);
  }, 60_000);
});
