import { afterEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { creditUserFunding } from '../../domain/payments';
import { balanceOfSats, fakeReadOnlyWallet } from '../../domain/wallet/test-support';
import { createApiHarness } from '../test-harness';

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
});
