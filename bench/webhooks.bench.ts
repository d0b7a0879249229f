/**
 * Verified Stripe webhook events handled per second on a SQLite file, through the app's own route
 * (POST /api/stripe/webhook over Fastify's inject): each delivery's signature checked by the `stripe`
 * library on the raw body, then applied exactly once in its own IMMEDIATE transaction. The mix is what
 * Stripe's retries produce: per top-up a checkout.session.completed (which also starts funding), the
 * same event redelivered twice, and one event type the app ignores. Figures only; nothing is asserted.
 * Target: at least 1,000 events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import Stripe from 'stripe';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../shared/money';
import { openDatabase } from '../server/db/client';
import { createAlertService } from '../server/domain/alerts';
import { createLeases } from '../server/domain/background';
import { createGovernance } from '../server/domain/governance';
import { createLedger } from '../server/domain/ledger';
import { createTopUps } from '../server/domain/topups';
import { registerStripeWebhook } from '../server/http/stripe-webhook';
import { createStripeCheckout } from '../server/rails/stripe/stripe-checkout';

const TOP_UPS = 1_500;
const TARGET_PER_SEC = 1_000;
const SECRET = 'whsec_bench';

export async function runWebhooksBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-webhooks-bench-'));
  const database = openDatabase(join(dir, 'app.db'));
  const governance = createGovernance(database, { now: Date.now });
  const ledger = createLedger(database, { now: Date.now, observer: governance.usageObserver });
  const verifier = createStripeCheckout({ secretKey: 'sk_test_bench', webhookSecret: SECRET });
  let sessions = 0;
  const topUps = createTopUps({
    database,
    ledger,
    // No wallet: funding that each completed event starts records a retry and stops (no network in the figure).
    walletFor: async () => null,
    walletSourceOf: () => null,
    treasury: null,
    alerts: createAlertService({ db: database.db }),
    operatorIds: () => [],
    rates: { current: async () => btcUsdRateFromCentsPerBtc(usdCents(100_000_00)) },
    checkout: {
      createSession: async () => ({ ok: true, sessionId: `cs_bench_${++sessions}`, url: 'https://checkout.test' }),
      verifyWebhook: verifier.verifyWebhook,
    },
    limits: { minUsdCents: usdCents(100), maxUsdCents: usdCents(50_000), perDayUsdCents: usdCents(1_000_000_000), spreadBps: 300 },
    publicUrl: 'http://127.0.0.1',
    leases: createLeases({ db: database.db, now: Date.now }),
  });
  const app = Fastify();
  await registerStripeWebhook(app, topUps);
  const stripe = new Stripe('sk_test_bench');
  try {
    const deliveries: { payload: string; signature: string }[] = [];
    for (let i = 0; i < TOP_UPS; i++) {
      const created = await topUps.create(`user-${i % 50}`, usdCents(1_000));
      if (!created.ok) throw new Error(created.reason);
      const completed = signed(stripe, 'checkout.session.completed', `evt_c${i}`, {
        id: `cs_bench_${i + 1}`,
        object: 'checkout.session',
        payment_status: 'paid',
        payment_intent: `pi_${i}`,
        metadata: { topUpId: created.topUp.id },
      });
      deliveries.push(completed, completed, completed, signed(stripe, 'customer.created', `evt_u${i}`, { id: `cus_${i}`, object: 'customer' }));
    }
    const outcomes = new Map<string, number>();
    const started = performance.now();
    for (const delivery of deliveries) {
      const answer = await app.inject({
        method: 'POST',
        url: '/api/stripe/webhook',
        headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature },
        payload: delivery.payload,
      });
      const outcome = answer.statusCode === 200 ? (answer.json() as { outcome: string }).outcome : `HTTP ${answer.statusCode}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const elapsedSec = (performance.now() - started) / 1000;
    await topUps.idle();
    const perSec = deliveries.length / elapsedSec;
    return {
      name: 'Stripe webhook events (POST /api/stripe/webhook, signature verified, exactly once, SQLite file)',
      lines: [
        `${deliveries.length} deliveries in ${elapsedSec.toFixed(2)} s: ${Math.round(perSec).toLocaleString('en-US')} events/s`,
        `target ${TARGET_PER_SEC.toLocaleString('en-US')} events/s: ${(perSec / TARGET_PER_SEC).toFixed(2)}× the target`,
        `outcomes: ${[...outcomes].map(([outcome, n]) => `${outcome} ${n}`).join(', ')}`,
      ],
    };
  } finally {
    await app.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function signed(stripe: Stripe, type: string, id: string, object: object): { payload: string; signature: string } {
  const payload = JSON.stringify({ id, object: 'event', api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object }, livemode: false, type }, null, 2);
  // Signed a few seconds ahead of the run so no delivery falls outside the 5-minute tolerance.
  return { payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runWebhooksBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
