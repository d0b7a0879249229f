import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStripeSandbox } from './index';
import type { RunningStripeSandbox } from './index';

const SECRET = 'whsec_sandbox_test_secret';

interface Delivery {
  body: string;
  signature: string;
}

/** A stand-in for the app's webhook route: records each delivery and answers with scripted statuses. */
class WebhookReceiver {
  deliveries: Delivery[] = [];
  statuses: number[] = [];
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']) });
      res.statusCode = this.statuses.shift() ?? 200;
      res.end();
    });
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('receiver not listening');
    this.url = `http://127.0.0.1:${address.port}/api/stripe/webhook`;
  }
  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  async waitFor(count: number, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} deliveries, got ${this.deliveries.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const receiver = new WebhookReceiver();
let sandbox: RunningStripeSandbox;
let stripe: Stripe;

function clientFor(url: string): Stripe {
  const { hostname, port } = new URL(url);
  return new Stripe('sk_test_sandbox', { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
}

beforeAll(async () => {
  await receiver.start();
  sandbox = await startStripeSandbox({
    host: '127.0.0.1',
    port: 0,
    webhookUrl: receiver.url,
    webhookSecret: SECRET,
    retry: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 4 },
  });
  stripe = clientFor(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
afterEach(() => {
  receiver.deliveries = [];
  receiver.statuses = [];
});

function createTopUp(amountCents = 2_500) {
  return stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: amountCents, product_data: { name: 'Steward top-up' } }, quantity: 1 },
    ],
    success_url: 'http://127.0.0.1:5402/topup/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:5402/topup/cancel',
    client_reference_id: 'user_42',
    metadata: { userId: 'user_42', topUpId: 'tu_1' },
  });
}

function submitCard(sessionUrl: string, card: string) {
  const form = new URLSearchParams({ email: 'ada@example.com', card_number: card, expiry: '12 / 34', cvc: '123', name: 'Ada Lovelace' });
  return fetch(sessionUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
}

describe('checkout sessions through the real stripe client', () => {
  it('creates and retrieves a Stripe-shaped session', async () => {
    const session = await createTopUp();
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2_500,
      currency: 'usd',
      client_reference_id: 'user_42',
      metadata: { userId: 'user_42', topUpId: 'tu_1' },
      payment_intent: null,
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${sandbox.url}/checkout/${session.id}`);
    const fetched = await stripe.checkout.sessions.retrieve(session.id);
    expect(fetched).toEqual(session);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data[0]).toMatchObject({ description: 'Steward top-up', quantity: 1, amount_total: 2_500 });
  });

  it('serves a script-free hosted page with the sandbox note', async () => {
    const session = await createTopUp(1_234);
    const res = await fetch(session.url ?? '');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Stripe sandbox — test cards only');
    expect(html).toContain('12.34 USD');
    expect(html).not.toMatch(/<script|\son[a-z]+=/i);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain('form-action \'self\' http://127.0.0.1:5402');
  });

  it('pays with 4242, redirects to success_url and delivers a signed checkout.session.completed', async () => {
    const session = await createTopUp();
    const res = await submitCard(session.url ?? '', '4242 4242 4242 4242');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://127.0.0.1:5402/topup/success?session_id=${session.id}`);

    await receiver.waitFor(1);
    const delivery = receiver.deliveries[0];
    if (!delivery) throw new Error('no delivery');
    const event = stripe.webhooks.constructEvent(delivery.body, delivery.signature, SECRET);
    expect(event.type).toBe('checkout.session.completed');
    const completed = event.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({ id: session.id, status: 'complete', payment_status: 'paid', metadata: { userId: 'user_42' } });
    expect(completed.payment_intent).toMatch(/^pi_/);
    expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_wrong')).toThrow();

    const after = await stripe.checkout.sessions.retrieve(session.id);
    expect(after).toMatchObject({ status: 'complete', payment_status: 'paid', payment_intent: completed.payment_intent, url: null });
    // A paid session cannot be paid twice.
    expect((await submitCard(session.url ?? '', '4242424242424242')).status).toBe(410);
  });

  it('declines 4000 0000 0000 0002 with an error on the page and sends no event', async () => {
    const session = await createTopUp();
    const res = await submitCard(session.url ?? '', '4000000000000002');
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('Your card was declined.');
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.deliveries).toHaveLength(0);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  it('rejects malformed card details before charging', async () => {
    const session = await createTopUp();
    const res = await submitCard(session.url ?? '', '4242 4242 4242 4241');
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('Your card number is invalid.');
  });

  it('retries the webhook with backoff when the receiver first answers 500', async () => {
    receiver.statuses = [500, 503];
    const session = await createTopUp();
    await submitCard(session.url ?? '', '4242424242424242');
    await receiver.waitFor(3);
    const events = receiver.deliveries.map((d) => stripe.webhooks.constructEvent(d.body, d.signature, SECRET));
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.deliveries).toHaveLength(3); // stops after the first 2xx
  });

  it('gives up after the attempt cap', async () => {
    receiver.statuses = [500, 500, 500, 500, 500, 500];
    const session = await createTopUp();
    await submitCard(session.url ?? '', '4242424242424242');
    await receiver.waitFor(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.deliveries).toHaveLength(4);
  });

  it('replays a POST that reuses an Idempotency-Key and refuses the key with other params', async () => {
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 900, product_data: { name: 'Top-up' } }, quantity: 1 }],
      success_url: 'http://127.0.0.1:5402/ok',
    };
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'topup-77' });
    const replay = await stripe.checkout.sessions.create(params, { idempotencyKey: 'topup-77' });
    expect(replay.id).toBe(first.id);
    await expect(
      stripe.checkout.sessions.create({ ...params, client_reference_id: 'other' }, { idempotencyKey: 'topup-77' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError' });
  });

  it('answers Stripe-shaped errors the client understands', async () => {
    await expect(stripe.checkout.sessions.retrieve('cs_test_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
    });
    await expect(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price_data: { currency: 'usd', unit_amount: -5, product_data: { name: 'x' } }, quantity: 1 }],
        success_url: 'http://127.0.0.1/ok',
      }),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'line_items[0][price_data][unit_amount]' });
  });
});

describe('refunds', () => {
  it('refunds a paid session by payment_intent and emits charge.refunded', async () => {
    const session = await createTopUp(2_000);
    await submitCard(session.url ?? '', '4242424242424242');
    await receiver.waitFor(1);
    const paymentIntent = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;

    const partial = await stripe.refunds.create({ payment_intent: paymentIntent, amount: 500, reason: 'requested_by_customer' });
    expect(partial).toMatchObject({ object: 'refund', amount: 500, status: 'succeeded', payment_intent: paymentIntent, currency: 'usd' });
    expect(partial.id).toMatch(/^re_/);
    await receiver.waitFor(2);
    const refunded = receiver.deliveries[1];
    if (!refunded) throw new Error('no delivery');
    const event = stripe.webhooks.constructEvent(refunded.body, refunded.signature, SECRET);
    expect(event.type).toBe('charge.refunded');
    expect(event.data.object).toMatchObject({ object: 'charge', amount: 2_000, amount_refunded: 500, refunded: false, payment_intent: paymentIntent });

    const rest = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect(rest.amount).toBe(1_500);
    expect(await stripe.refunds.retrieve(rest.id)).toEqual(rest);
    await expect(stripe.refunds.create({ payment_intent: paymentIntent })).rejects.toMatchObject({ code: 'charge_already_refunded' });
  });
});

describe('persistence', () => {
  it('keeps sessions in a 0600 JSON file under dataDir across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-sandbox-'));
    try {
      const first = await startStripeSandbox({ host: '127.0.0.1', port: 0, webhookUrl: receiver.url, webhookSecret: SECRET, dataDir: dir });
      const session = await clientFor(first.url).checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price_data: { currency: 'eur', unit_amount: 700, product_data: { name: 'Top-up' } }, quantity: 2 }],
        success_url: 'http://127.0.0.1:5402/ok',
      });
      await first.close();
      expect(statSync(join(dir, 'stripe-sandbox.json')).mode & 0o777).toBe(0o600);
      const second = await startStripeSandbox({ host: '127.0.0.1', port: 0, webhookUrl: receiver.url, webhookSecret: SECRET, dataDir: dir });
      try {
        const again = await clientFor(second.url).checkout.sessions.retrieve(session.id);
        expect(again).toMatchObject({ id: session.id, amount_total: 1_400, currency: 'eur', status: 'open' });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
