// The webhook route with deliveries signed by the real `stripe` library's test helper: duplicates,
// reordering, tampering, stale signatures and unknown types. Top-ups fund over a fake Lightning pair
// (server/domain/topups/test-support.ts), so "credited exactly once" is checked in the ledger and in
// the person's wallet.
import Fastify, { type FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../../shared/money';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { createAlertService } from '../domain/alerts';
import { createLeases } from '../domain/background';
import { createGovernance } from '../domain/governance';
import { createLedger, type Ledger } from '../domain/ledger';
import { createTopUps, type TopUps } from '../domain/topups';
import { createFakeLightning } from '../domain/topups/test-support';
import { createStripeCheckout } from '../rails/stripe/stripe-checkout';
import { registerStripeWebhook } from './stripe-webhook';

const SECRET = 'whsec_test_topups';
const stripe = new Stripe('sk_test_unused');
const USER = 'user-1';
const NOW_MS = 1_800_000_000_000;

let database: DatabaseHandle;
let ledger: Ledger;
let topUps: TopUps;
let lightning: ReturnType<typeof createFakeLightning>;
let alerts: ReturnType<typeof createAlertService>;
let app: FastifyInstance;
let sessions: number;
let beforeSessionReturns: ((topUpId: string, sessionId: string) => Promise<void>) | null;

beforeEach(async () => {
  database = openDatabase(':memory:');
  const governance = createGovernance(database, { now: () => NOW_MS });
  ledger = createLedger(database, { now: () => NOW_MS, observer: governance.usageObserver });
  alerts = createAlertService({ db: database.db, now: () => NOW_MS });
  lightning = createFakeLightning({ treasuryMsat: 1_000_000_000 });
  sessions = 0;
  beforeSessionReturns = null;
  const verifier = createStripeCheckout({ secretKey: 'sk_test_unused', webhookSecret: SECRET, now: () => NOW_MS });
  topUps = createTopUps({
    database,
    ledger,
    walletFor: async () => lightning.person,
    walletSourceOf: () => 'provisioned',
    treasury: lightning.treasury,
    alerts,
    operatorIds: () => ['operator-1'],
    rates: { current: async () => btcUsdRateFromCentsPerBtc(usdCents(100_000_00)) },
    checkout: {
      async createSession(request) {
        const sessionId = `cs_test_${++sessions}`;
        await beforeSessionReturns?.(request.metadata.topUpId, sessionId);
        return { ok: true, sessionId, url: `https://checkout.test/${sessionId}` };
      },
      verifyWebhook: verifier.verifyWebhook,
    },
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(100_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1:5402',
    leases: createLeases({ db: database.db, now: () => NOW_MS }),
    now: () => NOW_MS,
  });
  app = Fastify();
  await registerStripeWebhook(app, topUps);
});
afterEach(async () => {
  await app.close();
  database.close();
});

let eventCount = 0;
function event(type: string, object: object, id = `evt_${++eventCount}`) {
  return { id, object: 'event', api_version: '2025-01-01', created: NOW_MS / 1000, data: { object }, livemode: false, type };
}
const session = (topUpId: string, sessionId: string, paymentStatus = 'paid') => ({
  id: sessionId,
  object: 'checkout.session',
  payment_status: paymentStatus,
  payment_intent: `pi_${topUpId}`,
  metadata: { userId: USER, topUpId },
});
const charge = (topUpId: string, refundedCents: number) => ({
  id: `ch_${topUpId}`,
  object: 'charge',
  amount: 1_000,
  amount_refunded: refundedCents,
  payment_intent: `pi_${topUpId}`,
  metadata: { userId: USER, topUpId },
});

function deliver(body: object | string, options: { timestampSec?: number; secret?: string; tamper?: boolean; signature?: string | null } = {}) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    timestamp: options.timestampSec ?? Math.floor(NOW_MS / 1000),
  });
  const sent = options.tamper ? payload.replace('"paid"', '"paid" ') : payload;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.signature !== null) headers['stripe-signature'] = options.signature ?? header;
  return app.inject({ method: 'POST', url: '/api/stripe/webhook', headers, payload: sent });
}

async function createTenDollars() {
  const created = await topUps.create(USER, usdCents(1_000));
  if (!created.ok) throw new Error(created.reason);
  return created.topUp;
}

const available = () => ledger.userBalances(USER).availableMsat;
const eventsRecorded = () => (database.sqlite.prepare('SELECT count(*) AS n FROM stripe_events').get() as { n: number }).n;

describe('POST /api/stripe/webhook', () => {
  it('credits a paid top-up exactly once however often and under whichever event id it is delivered', async () => {
    const topUp = await createTenDollars();
    expect(topUp.amountMsat).toBe(9_700_000);
    const completed = event('checkout.session.completed', session(topUp.id, 'cs_test_1'));
    for (let i = 0; i < 3; i++) expect((await deliver(completed)).statusCode).toBe(200);
    // The same session again under a new event id (async_payment_succeeded after completed).
    expect((await deliver(event('checkout.session.async_payment_succeeded', session(topUp.id, 'cs_test_1')))).json()).toMatchObject({ outcome: 'no_change' });
    await topUps.idle();
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funded' } });
    expect(available()).toBe(9_700_000);
    expect(lightning.balances.person).toBe(9_700_000);
    expect(lightning.payCount).toBe(1);
    expect(eventsRecorded()).toBe(2);
  });

  it('refuses a tampered body, a stale, missing or foreign signature with 400 and records nothing', async () => {
    const topUp = await createTenDollars();
    const completed = event('checkout.session.completed', session(topUp.id, 'cs_test_1'));
    const refusals = [
      await deliver(completed, { tamper: true }),
      await deliver(completed, { timestampSec: Math.floor(NOW_MS / 1000) - 301 }),
      await deliver(completed, { signature: null }),
      await deliver(completed, { secret: 'whsec_someone_else' }),
      await deliver(completed, { signature: 'garbage' }),
    ];
    expect(refusals.map((r) => [r.statusCode, r.json().error])).toEqual([
      [400, 'signature_invalid'],
      [400, 'signature_stale'],
      [400, 'signature_missing'],
      [400, 'signature_invalid'],
      [400, 'signature_invalid'],
    ]);
    await topUps.idle();
    expect(eventsRecorded()).toBe(0);
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'created' } });
    expect(available()).toBe(0);
  });

  it('answers 200 to an unknown event type and changes nothing', async () => {
    const topUp = await createTenDollars();
    const answer = await deliver(event('customer.created', { id: 'cus_1', object: 'customer', metadata: { topUpId: topUp.id } }));
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ outcome: 'ignored' });
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'created' } });
    // A verified event about a top-up this server never made is acknowledged and changes nothing.
    const foreign = await deliver(event('checkout.session.completed', session('tu_elsewhere', 'cs_test_elsewhere')));
    expect([foreign.statusCode, foreign.json().outcome]).toEqual([200, 'unknown_top_up']);
    expect(available()).toBe(0);
  });

  it('funds a session completed before its creation returned, and ignores an expiry after the payment', async () => {
    // "completed before created": Stripe's event beats the answer to our create call.
    beforeSessionReturns = async (topUpId, sessionId) => {
      expect((await deliver(event('checkout.session.completed', session(topUpId, sessionId)))).statusCode).toBe(200);
    };
    const topUp = await createTenDollars();
    await topUps.idle();
    expect((await deliver(event('checkout.session.expired', { ...session(topUp.id, 'cs_test_1', 'unpaid') }))).json()).toMatchObject({ outcome: 'no_change' });
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funded', checkoutUrl: null } });
    expect(available()).toBe(9_700_000);
  });

  it('an expired or failed session credits nothing', async () => {
    const expired = await createTenDollars();
    const failed = await createTenDollars();
    await deliver(event('checkout.session.expired', session(expired.id, 'cs_test_1', 'unpaid')));
    await deliver(event('checkout.session.async_payment_failed', session(failed.id, 'cs_test_2', 'unpaid')));
    await deliver(event('checkout.session.completed', session(failed.id, 'cs_test_2', 'unpaid')));
    await topUps.fundingPass();
    expect(topUps.get(USER, expired.id)).toMatchObject({ topUp: { status: 'expired' } });
    expect(topUps.get(USER, failed.id)).toMatchObject({ topUp: { status: 'failed' } });
    expect(available()).toBe(0);
    expect(lightning.payCount).toBe(0);
  });

  it('a refund delivered before the payment event stops the top-up before any sats move', async () => {
    const topUp = await createTenDollars();
    await deliver(event('charge.refunded', charge(topUp.id, 1_000)));
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'refunded' } });
    expect(lightning.payCount).toBe(0);
    expect(available()).toBe(0);
  });

  it('a refund after funding takes the credit back; what was spent is owed and alerted', async () => {
    const topUp = await createTenDollars();
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    // The person spends part of it (moved out of available as a payment would).
    ledger.transfer({ idempotencyKey: 'spent', debit: { kind: 'user_available', userId: USER }, credit: { kind: 'treasury' }, amountMsat: 2_000_000 as never });
    const refunded = event('charge.refunded', charge(topUp.id, 1_000));
    await deliver(refunded);
    await deliver(refunded);
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'refunded', reversedMsat: 7_700_000, owedMsat: 2_000_000 } });
    expect(available()).toBe(0);
    expect(topUps.owedMsat(USER)).toBe(2_000_000);
    expect(alerts.list(USER).map((a) => a.title)).toEqual(['Top-up refunded', 'Your top-up arrived']);
    expect(alerts.list('operator-1').map((a) => a.title)).toEqual(['A refunded top-up left a debt']);
    // Money arriving later pays the debt first.
    ledger.transfer({ idempotencyKey: 'later', debit: { kind: 'treasury' }, credit: { kind: 'user_available', userId: USER }, amountMsat: 3_000_000 as never });
    await topUps.fundingPass();
    expect(available()).toBe(1_000_000);
    expect(topUps.owedMsat(USER)).toBe(0);
  });

  it('a refund recorded but not taken back before a crash is taken back by the next pass', async () => {
    const topUp = await createTenDollars();
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    // As if the process died after the refund event committed and before its reversal ran.
    database.sqlite.prepare('UPDATE top_ups SET refunded_usd_cents = 500 WHERE id = ?').run(topUp.id);
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funded', reversedMsat: 4_850_000, owedMsat: 0 } });
    expect(available()).toBe(4_850_000);
    await topUps.fundingPass();
    expect(available()).toBe(4_850_000);
  });

  it('a dispute freezes the credit of that top-up and alerts the person and the operators', async () => {
    const topUp = await createTenDollars();
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    const dispute = { id: 'dp_1', object: 'dispute', amount: 1_000, charge: `ch_${topUp.id}`, payment_intent: `pi_${topUp.id}`, reason: 'fraudulent', status: 'needs_response' };
    await deliver(event('charge.dispute.created', dispute));
    await deliver(event('charge.dispute.created', dispute));
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'disputed', reversedMsat: 9_700_000, owedMsat: 0 } });
    expect(available()).toBe(0);
    expect(alerts.list(USER).map((a) => a.title)).toEqual(['Top-up disputed', 'Your top-up arrived']);
    expect(alerts.list('operator-1').map((a) => a.title)).toEqual(['A top-up was disputed']);
  });

  it('a treasury that cannot pay leaves the top-up funding_delayed with one operator alert, then funds it', async () => {
    lightning.treasuryScript.push('insufficient', 'insufficient');
    const topUp = await createTenDollars();
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funding_delayed' } });
    database.sqlite.prepare('UPDATE top_ups SET next_attempt_at_ms = 0').run();
    await topUps.fundingPass();
    expect(alerts.list('operator-1').map((a) => a.title)).toEqual(['The treasury cannot fund a top-up']);
    database.sqlite.prepare('UPDATE top_ups SET next_attempt_at_ms = 0').run();
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funded' } });
    expect(lightning.payCount).toBe(1);
  });

  it('an unknown pay outcome is settled by lookup, never by paying again', async () => {
    lightning.treasuryScript.push('unknown_after_paying');
    const topUp = await createTenDollars();
    await deliver(event('checkout.session.completed', session(topUp.id, 'cs_test_1')));
    await topUps.idle();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funding' } });
    database.sqlite.prepare('UPDATE top_ups SET next_attempt_at_ms = 0').run();
    await topUps.fundingPass();
    expect(topUps.get(USER, topUp.id)).toMatchObject({ topUp: { status: 'funded' } });
    expect(lightning.payCount).toBe(1);
    expect(available()).toBe(9_700_000);
  });
});
