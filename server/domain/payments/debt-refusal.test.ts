// A refunded top-up that left a debt blocks spending inside the reservation itself: money released
// after the refund (a failed spend's hold) belongs to the debt, so the next purchase is refused by
// name before the wallet is asked to pay; once the debt is repaid, spending works again.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createSecretBox } from '../../db/secret-box';
import { createAlertService } from '../alerts';
import { createLeases } from '../background';
import { createGovernance } from '../governance';
import { createLedger, providerAccount, treasuryAccount, userAvailableAccount, type Ledger } from '../ledger';
import { createTopUps, type TopUps } from '../topups';
import { createFakeLightning } from '../topups/test-support';
import { creditUserFunding } from './funding';
import { createPaymentService, type PaymentService } from './payment-service';
import { createFakeProvider, createFakeWallet, testAuthorization } from './test-fakes';

const USER = 'user-1';
const NOW_MS = Date.parse('2026-03-10T15:00:00Z');
const PRICE_MSAT = 20_000;

let database: DatabaseHandle;
let ledger: Ledger;
let topUps: TopUps;
let wallet: ReturnType<typeof createFakeWallet>;
let payments: PaymentService;
let step = 0;

beforeEach(() => {
  database = openDatabase(':memory:');
  const governance = createGovernance(database, { now: () => NOW_MS });
  ledger = createLedger(database, { now: () => NOW_MS, observer: governance.usageObserver });
  const lightning = createFakeLightning({ treasuryMsat: 1_000_000_000 });
  topUps = createTopUps({
    database,
    ledger,
    walletFor: async () => lightning.person,
    walletSourceOf: () => 'provisioned',
    treasury: lightning.treasury,
    alerts: createAlertService({ db: database.db, now: () => NOW_MS }),
    operatorIds: () => ['operator-1'],
    rates: { current: async () => btcUsdRateFromCentsPerBtc(usdCents(100_000_00)) },
    checkout: {
      createSession: async (request) => ({ ok: true, sessionId: `cs_${request.metadata.topUpId}`, url: 'https://checkout.test/' }),
      // The signature is the webhook route's concern (server/http/stripe-webhook.test.ts).
      verifyWebhook: (rawBody) => ({ ok: true, event: JSON.parse(rawBody.toString('utf8')) }),
    },
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1:5402',
    leases: createLeases({ db: database.db, now: () => NOW_MS }),
    now: () => NOW_MS,
  });
  const provider = createFakeProvider({ service: 'joke', invoiceMsat: PRICE_MSAT, nowMs: () => NOW_MS });
  wallet = createFakeWallet(provider, { feeMsat: 0 });
  payments = createPaymentService({
    database,
    ledger,
    governance,
    http: provider.port,
    walletFor: async () => wallet.wallet,
    secretBox: createSecretBox(randomBytes(32)),
    now: () => NOW_MS,
    options: { deliveryBackoffMs: 1 },
  });
});

function stripeEvent(type: string, object: object) {
  const body = { id: `evt_${type}_${step++}`, object: 'event', api_version: '2025-01-01', created: NOW_MS / 1000, data: { object }, livemode: false, type };
  const answer = topUps.receiveWebhook(Buffer.from(JSON.stringify(body)), 'signed');
  expect(answer.status).toBe(200);
}

async function fundedTenDollars(): Promise<string> {
  const created = await topUps.create(USER, usdCents(1_000));
  if (!created.ok) throw new Error(created.reason);
  const { id } = created.topUp;
  stripeEvent('checkout.session.completed', { id: `cs_${id}`, object: 'checkout.session', payment_status: 'paid', payment_intent: `pi_${id}`, metadata: { userId: USER, topUpId: id } });
  await topUps.idle();
  return id;
}

const purchase = () =>
  payments.purchase({
    userId: USER,
    timeZone: 'UTC',
    idempotencyKey: `step-${step++}`,
    task: null,
    serviceId: 'satoshi-jokes/joke',
    service: 'joke',
    providerId: 'satoshi-jokes',
    request: { url: 'http://market.test/v1/joke?topic=bitcoin', method: 'GET' },
    authorization: testAuthorization({ approvedMaxMsat: msat(PRICE_MSAT), rate: btcUsdRateFromCentsPerBtc(usdCents(100_000_00)) }),
  });

describe('a top-up debt blocks spending', () => {
  it('refuses the next spend by name while a refund is owed, pays nothing, and spends again once repaid', async () => {
    const topUpId = await fundedTenDollars();
    expect(ledger.userBalances(USER).availableMsat).toBe(9_700_000);
    // The person spent most of it, and a spend of the rest is still pending when the card is refunded.
    ledger.transfer({ idempotencyKey: 'spent', debit: userAvailableAccount(USER), credit: treasuryAccount, amountMsat: msat(5_000_000) });
    const pending = ledger.reserve({ idempotencyKey: 'pending-spend', userId: USER, destination: providerAccount('satoshi-jokes'), amountMsat: msat(4_000_000), expiresAtMs: NOW_MS + 60_000 });
    if (!pending.ok) throw new Error(pending.reason);
    stripeEvent('charge.refunded', { id: `ch_${topUpId}`, object: 'charge', amount: 1_000, amount_refunded: 1_000, payment_intent: `pi_${topUpId}`, metadata: { userId: USER, topUpId } });
    expect(topUps.owedMsat(USER)).toBe(9_000_000);

    // The pending spend fails: its hold comes back to available before the loop takes it for the debt.
    ledger.void({ idempotencyKey: 'pending-spend:void', reservationId: pending.reservation.id, reason: 'payment_failed' });
    expect(ledger.userBalances(USER).availableMsat).toBe(4_000_000);
    expect(await purchase()).toEqual({ kind: 'budget_refused', reason: 'account_in_debt' });
    expect(wallet.calls.pay).toBe(0);

    // The loop takes the released hold; what stays owed still refuses, by name rather than as "no funds".
    await topUps.fundingPass();
    expect(topUps.owedMsat(USER)).toBe(5_000_000);
    expect(await purchase()).toEqual({ kind: 'budget_refused', reason: 'account_in_debt' });
    expect(wallet.calls.pay).toBe(0);

    // Money received repays the debt first; the rest can be spent.
    creditUserFunding(ledger, { userId: USER, amountMsat: msat(6_000_000), idempotencyKey: 'receive-1' });
    await topUps.fundingPass();
    expect(topUps.owedMsat(USER)).toBe(0);
    expect(await purchase()).toMatchObject({ kind: 'delivered', via: 'paid' });
    expect(wallet.calls.pay).toBe(1);
    ledger.checkInvariants();
  });
});
