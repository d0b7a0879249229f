/**
 * Three Steward instances (real processes, each with its own PostgreSQL connection, background loops
 * and HTTP server) on ONE PostgreSQL database and ONE sandbox (issue 16):
 * - 1,000 spends for one person at once, spread over the three, never exceed the person's monthly
 *   budget; each ends paid or refused with a named reason; no invoice is paid twice; the wallet
 *   (get_balance over NWC) and the ledger agree;
 * - a Stripe webhook handed to two instances at the same moment credits the top-up once, and the
 *   treasury, whose funding every instance attempts, pays it into the wallet once;
 * - an instance SIGKILLed while its wallet pays (after the write-ahead, before settling) is finished
 *   by another instance's reconciler: paid once, wallet and ledger agreeing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../shared/governance';
import { msat } from '../../shared/money';
import { testDatabaseUrl } from '../env';
import { postgresSuiteTitle } from '../../scripts/postgres/test-database';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { signUpOnStack, WELCOME_BALANCE_MSAT } from './agent-support';
import type { SpendResult } from './instance.child';
import { startCluster, type Cluster } from './multi-instance-support';
import { payWithCard, walletBalanceOverNwc } from './topup-support';

const serverUrl = testDatabaseUrl();
const PRICE_MSAT = 10_000;
/** Room for a few dozen of the 1,000 spends (each holds its price and a 10-sat fee allowance until paid). */
const BUDGET_MSAT = 500_000;
const SPENDS = 1_000;

interface PaymentRow {
  id: string;
  payment_hash: string;
  status: string;
  amount_msat: number;
  fee_msat: number | null;
}

describe.skipIf(serverUrl === null)(postgresSuiteTitle('three instances on one PostgreSQL and one sandbox'), () => {
  let cluster: Cluster;
  let fundedTopUp: { userId: string; topUpId: string; amountMsat: number } | null = null;

  beforeAll(async () => {
    cluster = await startCluster(serverUrl ?? '', { instances: 3, providerServices: 8, priceMsat: PRICE_MSAT });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  const payments = (userId: string) =>
    cluster.database.sqlite.prepare('SELECT id, payment_hash, status, amount_msat, fee_msat FROM payments WHERE user_id = ? ORDER BY id').all(userId) as PaymentRow[];


  /** What the provider's node was paid, per payment hash. */
  function providerReceipts(): Map<string, number> {
    const received = new Map<string, number>();
    for (const tx of cluster.provider.node.listTransactions({ direction: 'incoming', limit: 10_000 }).transactions) {
      if (tx.state === 'settled') received.set(tx.paymentHashHex, (received.get(tx.paymentHashHex) ?? 0) + 1);
    }
    return received;
  }

  function spendCommand(userId: string, keys: string[]) {
    return { op: 'spend', userId, providerUrl: cluster.provider.url, services: cluster.provider.services, priceMsat: PRICE_MSAT, keys };
  }

  it("1,000 spends at once across three instances never exceed the month's budget and pay no invoice twice", async () => {
    const userId = await signUpOnStack(cluster.setup, 'budget');
    cluster.setup.governance.saveSettings(userId, { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(BUDGET_MSAT) } });
    const keys = Array.from({ length: SPENDS }, (_, i) => `spend-${i}`);
    const { instances } = cluster;
    const answers = await Promise.all(
      instances.map((instance, n) => instance.send<{ outcomes: SpendResult[] }>(spendCommand(userId, keys.filter((_, i) => i % instances.length === n)))),
    );

    const outcomes = answers.flatMap((answer) => answer.outcomes);
    expect(outcomes.map((outcome) => outcome.key).sort()).toEqual([...keys].sort());
    // Each spend was paid or refused, by name; nothing else happened. On a loaded machine a payment
    // may outlast the provider's five-second token (paid, not delivered), a challenge may come too
    // late (refused before anything was reserved) and the relay may drop a wallet call (the wallet's
    // get_info: refused before anything was reserved; its pay_invoice: failed, or unknown until a
    // reconciler asks the wallet); the budget refuses the rest.
    const named = (o: SpendResult) => (o.kind === 'delivered' ? `delivered via ${o.via}` : `${o.kind}: ${o.reason}`);
    const allowed = [/^delivered via paid$/, /^paid_not_delivered: /, /^payment_failed: /, /^payment_unknown: /, /^budget_refused: exceeds_monthly_budget$/, /^refused_before_payment: (fetch_failed|wallet_unavailable)$/];
    expect(outcomes.map(named).filter((name) => !allowed.some((pattern) => pattern.test(name)))).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'budget_refused').length).toBeGreaterThan(SPENDS / 2);
    // The budget was contended across instances: more than one of them paid.
    expect(answers.filter((answer) => answer.outcomes.some((o) => o.paymentId !== null)).length).toBeGreaterThan(1);
    if (outcomes.some((o) => o.kind === 'payment_unknown')) await instances[0]?.send({ op: 'reconcile' });

    // Every payment row belongs to one of the spends and ended paid or failed (its hold released).
    const rows = payments(userId);
    expect(rows.map((row) => row.id).sort()).toEqual(outcomes.flatMap((o) => (o.paymentId === null ? [] : [o.paymentId])).sort());
    expect(rows.filter((row) => row.status !== 'paid' && row.status !== 'failed')).toEqual([]);
    const paidRows = rows.filter((row) => row.status === 'paid');
    const spentMsat = paidRows.reduce((sum, row) => sum + row.amount_msat + (row.fee_msat ?? 0), 0);
    expect(spentMsat).toBeLessThanOrEqual(BUDGET_MSAT);
    // The budget's own count agrees, and the refusals were the budget's doing: most of it was used.
    const { summary } = cluster.setup.governance.status(userId, 'UTC', SANDBOX_BTC_USD_RATE);
    expect(summary.usedMsat).toBe(spentMsat);
    expect(spentMsat).toBeGreaterThan(BUDGET_MSAT / 2);
    // No invoice twice: one row per payment hash, and the provider's node was paid each of them once.
    const received = providerReceipts();
    expect(new Set(rows.map((row) => row.payment_hash)).size).toBe(rows.length);
    expect(paidRows.map((row) => received.get(row.payment_hash))).toEqual(paidRows.map(() => 1));
    expect(received.size).toBe(paidRows.length);

    const balances = cluster.setup.ledger.userBalances(userId);
    expect(balances.reservedMsat).toBe(0);
    expect(balances.availableMsat).toBe(WELCOME_BALANCE_MSAT - spentMsat);
    expect(await walletBalanceOverNwc(cluster.setup.accounts.accounts.walletConnection, userId)).toBe(balances.availableMsat);
    cluster.setup.ledger.checkInvariants();
  }, 90_000);

  it('a Stripe webhook delivered to two instances at the same moment credits the top-up once', async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error('two instances are needed');
    cluster.deliverWebhooksTo([a, b]);
    const userId = await signUpOnStack(cluster.setup, 'topup');
    const created = await a.send<{ topUpId: string; checkoutUrl: string; amountMsat: number }>({ op: 'topUp', userId, usdCents: 1_000 });
    expect(created.amountMsat).toBe(9_700_000);
    const paid = await payWithCard(created.checkoutUrl, '4242 4242 4242 4242');
    expect(paid.status).toBe(303);

    // Credited (the ledger's credit and fundedAtMs are written in one transaction).
    await until(() => cluster.setup.topUps.get(userId, created.topUpId), (got) => got.ok && got.topUp.fundedAtMs !== null);
    // Both instances were handed the signed event at once, and both accepted it.
    await until(() => cluster.deliveries.filter((d) => d.eventType === 'checkout.session.completed'), (found) => found.length > 0);
    const completed = cluster.deliveries.filter((d) => d.eventType === 'checkout.session.completed');
    expect(completed.map((d) => d.statuses)).toEqual(completed.map(() => [200, 200]));
    // Time for a second credit or a second funding payment, were either to happen.
    await sleep(1_500);
    const credits = cluster.database.sqlite
      .prepare("SELECT count(*) AS n FROM ledger_transfers WHERE idempotency_key LIKE 'topup:' || ? || '%'")
      .get(created.topUpId) as { n: number };
    // creditUserFunding's two legs (stripe -> treasury -> the person), once.
    expect(credits.n).toBe(2);
    const balances = cluster.setup.ledger.userBalances(userId);
    expect(balances.availableMsat).toBe(WELCOME_BALANCE_MSAT + created.amountMsat);
    cluster.setup.ledger.checkInvariants();
    fundedTopUp = { userId, topUpId: created.topUpId, amountMsat: created.amountMsat };
  }, 60_000);

  // Funding runs on every instance (the webhook's own attempt and each instance's retry loop): the
  // treasury must still pay the person's wallet once, so that it agrees with the ledger's one credit.
  it('and the treasury pays that top-up into the wallet once, so wallet and ledger agree and it reads funded', async () => {
    if (!fundedTopUp) throw new Error('the webhook test did not fund a top-up');
    const { userId, topUpId, amountMsat } = fundedTopUp;
    // Funded, and nothing after that (another instance's late attempt) said otherwise.
    expect(cluster.setup.topUps.get(userId, topUpId)).toMatchObject({ ok: true, topUp: { status: 'funded' } });
    expect(await walletBalanceOverNwc(cluster.setup.accounts.accounts.walletConnection, userId)).toBe(WELCOME_BALANCE_MSAT + amountMsat);
    expect(cluster.setup.ledger.userBalances(userId).availableMsat).toBe(WELCOME_BALANCE_MSAT + amountMsat);
  }, 30_000);

  // Last: it kills an instance.
  it("an instance SIGKILLed while its wallet pays is finished by another instance's reconciler: paid once", async () => {
    const [, survivor, victim] = cluster.instances;
    if (!survivor || !victim) throw new Error('two instances are needed');
    const userId = await signUpOnStack(cluster.setup, 'killed');
    await victim.send({ op: 'stopNext' });
    const stopped = victim.nextEvent((line) => line.at === 'during');
    // Never answered: the instance dies first.
    void victim.send(spendCommand(userId, ['killed-spend']));
    await stopped;
    const [written] = payments(userId);
    if (!written) throw new Error('no write-ahead row');
    expect(written.status).toBe('paying');
    // The wallet pays (the provider's node is paid); the instance never reads the answer.
    await until(() => cluster.provider.node.lookup(written.payment_hash)?.state, (state) => state === 'settled');
    await victim.kill();
    expect(payments(userId).map((row) => row.status)).toEqual(['paying']);

    // This pass posts it (or, should another survivor's timer have run a pass this very moment, finds it posted).
    await survivor.send({ op: 'reconcile' });
    const [settled] = payments(userId);
    expect(settled?.status).toBe('paid');
    const spentMsat = (settled?.amount_msat ?? 0) + (settled?.fee_msat ?? 0);
    expect(spentMsat).toBeGreaterThan(PRICE_MSAT);
    expect(providerReceipts().get(written.payment_hash)).toBe(1);
    const balances = cluster.setup.ledger.userBalances(userId);
    expect(balances.reservedMsat).toBe(0);
    expect(balances.availableMsat).toBe(WELCOME_BALANCE_MSAT - spentMsat);
    expect(await walletBalanceOverNwc(cluster.setup.accounts.accounts.walletConnection, userId)).toBe(balances.availableMsat);
    cluster.setup.ledger.checkInvariants();
  }, 60_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds for what it returns (the instances write; this process only reads). */
async function until<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last seen: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}
