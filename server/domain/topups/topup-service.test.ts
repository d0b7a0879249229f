import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createAlertService } from '../alerts';
import { createLeases } from '../background';
import { createGovernance } from '../governance';
import { createLedger } from '../ledger';
import type { CardCheckoutPort } from '../ports/card-checkout';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { WalletPort } from '../ports/wallet';
import { fakeCardCheckout, createFakeLightning } from './test-support';
import { createTopUps } from './topup-service';

const RATE = btcUsdRateFromCentsPerBtc(usdCents(100_000_00));
let database: DatabaseHandle;
beforeEach(() => {
  database = openDatabase(':memory:');
});
afterEach(() => database.close());

function topUpsWith(
  options: { rates?: ExchangeRatePort; checkout?: CardCheckoutPort; person?: (person: WalletPort) => WalletPort; source?: 'own' | 'provisioned' } = {},
) {
  const governance = createGovernance(database, { now: Date.now });
  const lightning = createFakeLightning({ treasuryMsat: 1_000_000_000 });
  const person = options.person ? options.person(lightning.person) : lightning.person;
  const topUps = createTopUps({
    database,
    ledger: createLedger(database, { now: Date.now, observer: governance.usageObserver }),
    walletFor: async () => person,
    walletSourceOf: () => options.source ?? 'provisioned',
    treasury: lightning.treasury,
    alerts: createAlertService({ db: database.db }),
    operatorIds: () => [],
    rates: options.rates ?? { current: async () => RATE },
    // Accepts any JSON body as verified: these tests are about what follows verification.
    checkout: options.checkout ?? { ...fakeCardCheckout(), verifyWebhook: (raw) => ({ ok: true, event: JSON.parse(raw.toString('utf8')) as unknown }) },
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1:5402',
    leases: createLeases({ db: database.db, now: Date.now }),
  });
  return { topUps, lightning };
}
const count = () => (database.sqlite.prepare('SELECT count(*) AS n FROM top_ups').get() as { n: number }).n;

describe('top-ups', () => {
  it('treats any rejection of the rate as "rate unavailable" and locks nothing', async () => {
    const { topUps } = topUpsWith({ rates: { current: () => Promise.reject(new Error('stale: last price 20 minutes old')) } });
    expect(await topUps.quote('u', usdCents(1_000))).toEqual({ ok: false, reason: 'rate_unavailable' });
    expect(await topUps.create('u', usdCents(1_000))).toEqual({ ok: false, reason: 'rate_unavailable' });
    expect(count()).toBe(0);
  });

  it('a card processor that does not answer refuses the top-up and keeps it as failed, never payable', async () => {
    const { topUps } = topUpsWith({
      checkout: { ...fakeCardCheckout(), createSession: async () => ({ ok: false, reason: 'checkout_unavailable', message: 'ECONNREFUSED' }) },
    });
    expect(await topUps.create('u', usdCents(1_000))).toEqual({ ok: false, reason: 'checkout_unavailable' });
    expect(database.sqlite.prepare('SELECT status, last_error FROM top_ups').get()).toEqual({ status: 'failed', last_error: 'ECONNREFUSED' });
  });

  it('tells a watcher each step live: created, paid, funding, funded', async () => {
    const { topUps, lightning } = topUpsWith();
    const created = await topUps.create('u', usdCents(1_000));
    if (!created.ok) throw new Error(created.reason);
    const controller = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const view of topUps.watch('u', created.topUp.id, controller.signal)) {
        seen.push(view.status);
        if (view.status === 'funded') controller.abort();
      }
    })();
    const event = { id: 'evt_1', type: 'checkout.session.completed', data: { object: { id: 'cs_fake_1', payment_status: 'paid', payment_intent: 'pi_1', metadata: { topUpId: created.topUp.id } } } };
    expect(topUps.receiveWebhook(Buffer.from(JSON.stringify(event)), 't=1,v1=x')).toEqual({ status: 200, outcome: 'applied' });
    await watching;
    expect(seen).toEqual(['created', 'paid', 'funding', 'funded']);
    expect(lightning.balances.person).toBe(9_700_000);
    // The person is told once (open pages such as the Home dashboard refresh on it).
    const told = database.sqlite.prepare("SELECT user_id, title, body FROM alerts WHERE kind = 'top_up'").all();
    expect(told).toEqual([{ user_id: 'u', title: 'Your top-up arrived', body: '9,700 sats from your card top-up are in your wallet, ready for the agent to spend.' }]);
    // Someone else's id yields nothing.
    const other: unknown[] = [];
    for await (const view of topUps.watch('someone-else', created.topUp.id, undefined)) other.push(view);
    expect(other).toEqual([]);
  });

  // "Paid, no invoice yet: a refund or dispute closes it and nothing is sent" (README). A refund that
  // arrived while the person's wallet was making the invoice was overwritten by the invoice's store
  // (status back to funding), and the treasury paid a top-up whose card payment was already refunded.
  it('sends nothing for a top-up refunded while its invoice was being made', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked: () => void = () => undefined;
    const invoiceAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    const { topUps, lightning } = topUpsWith({
      person: (wallet) => ({
        ...wallet,
        makeInvoice: async (request) => {
          asked();
          await gate;
          return wallet.makeInvoice(request);
        },
      }),
    });
    const created = await topUps.create('u', usdCents(1_000));
    if (!created.ok) throw new Error(created.reason);
    const send = (event: unknown) => topUps.receiveWebhook(Buffer.from(JSON.stringify(event)), 't=1,v1=x');
    const paid = { id: 'evt_paid', type: 'checkout.session.completed', data: { object: { id: 'cs_fake_1', payment_status: 'paid', payment_intent: 'pi_1', metadata: { topUpId: created.topUp.id } } } };
    expect(send(paid)).toEqual({ status: 200, outcome: 'applied' });
    await invoiceAsked;
    const refunded = { id: 'evt_refund', type: 'charge.refunded', data: { object: { payment_intent: 'pi_1', amount: 1_000, amount_refunded: 1_000, metadata: { topUpId: created.topUp.id } } } };
    expect(send(refunded)).toEqual({ status: 200, outcome: 'applied' });
    release();
    await topUps.idle();
    await topUps.fundingPass();
    await topUps.idle();

    expect(lightning.payCount).toBe(0);
    expect(lightning.balances.person).toBe(0);
    expect(database.sqlite.prepare('SELECT status, funded_at_ms AS fundedAtMs FROM top_ups').get()).toEqual({ status: 'refunded', fundedAtMs: null });
  });

  it.each(['provisioned', 'own'] as const)('takes a refunded top-up back from the available funds, naming the wallet in use (%s) that keeps its sats', async (source) => {
    const { topUps, lightning } = topUpsWith({ source });
    const created = await topUps.create('u', usdCents(1_000));
    if (!created.ok) throw new Error(created.reason);
    const send = (event: unknown) => topUps.receiveWebhook(Buffer.from(JSON.stringify(event)), 't=1,v1=x');
    send({ id: 'evt_paid', type: 'checkout.session.completed', data: { object: { id: 'cs_fake_1', payment_status: 'paid', payment_intent: 'pi_1', metadata: { topUpId: created.topUp.id } } } });
    await topUps.idle();
    expect(lightning.balances.person).toBe(9_700_000);
    send({ id: 'evt_refund', type: 'charge.refunded', data: { object: { payment_intent: 'pi_1', amount: 1_000, amount_refunded: 1_000, metadata: { topUpId: created.topUp.id } } } });

    const taken = database.sqlite.prepare("SELECT amount_msat AS amountMsat, metadata_json AS metadataJson FROM ledger_transfers WHERE reason = 'top_up_refunded'").all() as { amountMsat: number; metadataJson: string }[];
    expect(taken.map((row) => [row.amountMsat, JSON.parse(row.metadataJson)])).toEqual([[9_700_000, { userId: 'u', topUpId: created.topUp.id, wallet: source }]]);
    // The sats stay in the wallet: the ledger's take moved none.
    expect(lightning.balances.person).toBe(9_700_000);
  });
});
