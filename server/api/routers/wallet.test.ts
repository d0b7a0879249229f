import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { creditUserFunding } from '../../domain/payments';
import type { WalletPort } from '../../domain/ports/wallet';
import { balanceOfSats, fakeReadOnlyWallet, invoiceMadeFor } from '../../domain/wallet/test-support';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from '../../http/rate-limits';
import { callerOver, createApiHarness, refusalOf } from '../test-harness';

/** A wallet that makes and looks up invoices, counting every call that reaches it. */
function countingWallet(name: string): WalletPort & { calls: { makeInvoice: number; lookupInvoice: number; getBalance: number } } {
  const calls = { makeInvoice: 0, lookupInvoice: 0, getBalance: 0 };
  const base = fakeReadOnlyWallet({ balance: balanceOfSats(0) });
  const made = () => invoiceMadeFor(`lnbcrt10u1p${name}${calls.makeInvoice}`, 1_000);
  return {
    ...base,
    calls,
    makeInvoice: async () => (calls.makeInvoice++, { ok: true, value: made() }),
    lookupInvoice: async () => (calls.lookupInvoice++, { ok: true, value: made() }),
    getBalance: async () => (calls.getBalance++, balanceOfSats(0)),
  };
}

describe('wallet router', () => {
  const h = createApiHarness();
  afterEach(() => h.wallets.clear());

  it("gives the signed-in person their ledger balance and their wallet's, in agreement", async () => {
    const alice = await h.signUp('alice.wallet@example.com');
    creditUserFunding(h.ledger, { userId: alice.user.id, amountMsat: msat(100_000_000), idempotencyKey: `welcome:${alice.user.id}`, source: 'sandbox_welcome' });
    h.wallets.set(alice.user.id, fakeReadOnlyWallet({ balance: balanceOfSats(100_000) }));

    const summary = await alice.as().wallet.summary();
    expect(summary).toMatchObject({ availableMsat: 100_000_000, heldMsat: 0, movements: [{ kind: 'welcome_credit', amountMsat: 100_000_000 }] });
    const status = await alice.as().wallet.status();
    expect(status).toMatchObject({ connection: { state: 'connected', network: 'regtest' }, balance: { state: 'known', balanceMsat: 100_000_000 }, reconciliation: { status: 'agree' } });
    // The connection string is a secret: nothing of it is part of the answer.
    expect(JSON.stringify(status)).not.toMatch(/nostr\+walletconnect|secret/);
  });

  it('answers "no wallet" rather than failing when none is connected', async () => {
    const bob = await h.signUp('bob.wallet@example.com');
    expect(await bob.as().wallet.status()).toEqual({ source: null, connection: { state: 'none' }, budget: null, balance: null, reconciliation: null });
    expect(await bob.as().wallet.summary()).toMatchObject({ availableMsat: 0, movements: [] });
  });

  it('limits the calls that reach the wallet per person (invoices, watching them, status): past it nothing reaches the wallet', async () => {
    const alice = await h.signUp('alice.calls@example.com');
    const bob = await h.signUp('bob.calls@example.com');
    const [aliceWallet, bobWallet] = [countingWallet('alice'), countingWallet('bob')];
    h.wallets.set(alice.user.id, aliceWallet);
    h.wallets.set(bob.user.id, bobWallet);
    // The HTTP layer's limiter with the shipped numbers, counted in the harness's database; one address for both.
    const limiter = createRateLimiter(h.services.rateLimits, DEFAULT_RATE_LIMITS)({ ip: '203.0.113.9' } as FastifyRequest);
    const as = (token: string) => callerOver(h.deps, token, limiter).caller;

    const invoices = DEFAULT_RATE_LIMITS.wallet_invoice.max;
    let receive = await as(alice.token).wallet.createInvoice({ amountSat: 1_000 });
    for (let i = 1; i < invoices; i++) receive = await as(alice.token).wallet.createInvoice({ amountSat: 1_000 });
    const refusedInvoice = as(alice.token).wallet.createInvoice({ amountSat: 1_000 });
    expect(await refusalOf(refusedInvoice)).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'wallet_calls_limited' });
    expect(aliceWallet.calls.makeInvoice).toBe(invoices);

    // Watching the invoice and the wallet's status share one limit.
    const lookups = DEFAULT_RATE_LIMITS.wallet_lookup.max;
    for (let i = 0; i < lookups - 1; i++) await as(alice.token).wallet.receiveStatus({ id: receive.id });
    await as(alice.token).wallet.status();
    const reached = { ...aliceWallet.calls };
    expect(await refusalOf(as(alice.token).wallet.receiveStatus({ id: receive.id }))).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'wallet_calls_limited' });
    expect(await refusalOf(as(alice.token).wallet.status())).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'wallet_calls_limited' });
    expect(aliceWallet.calls).toEqual(reached);

    // Another person, from the same address, is not held back.
    const bobs = await as(bob.token).wallet.createInvoice({ amountSat: 1_000 });
    expect(await as(bob.token).wallet.receiveStatus({ id: bobs.id })).toMatchObject({ id: bobs.id, status: 'open' });
    expect(bobWallet.calls).toMatchObject({ makeInvoice: 1, lookupInvoice: 1 });

    // The window ends: alice's page may watch again.
    h.clock.advance(DEFAULT_RATE_LIMITS.wallet_lookup.windowMs);
    expect(await as(alice.token).wallet.receiveStatus({ id: receive.id })).toMatchObject({ id: receive.id });
  });
});
