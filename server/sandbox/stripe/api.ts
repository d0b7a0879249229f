/**
 * The Stripe API subset the app uses: create and read Checkout Sessions, expire them, and refund
 * their payments. Handlers validate Stripe's form-encoded params with zod and answer with
 * Stripe-shaped objects or Stripe-shaped errors.
 */
import { z } from 'zod';
import { invalidRequest, stripeId } from './objects';
import type { Charge, CheckoutSession, LineItem, Refund, StripeErrorBody, StripeEvent } from './objects';
import type { StripeStore } from './store';

export interface ApiResult {
  status: number;
  body: object;
}

export interface ApiDeps {
  store: StripeStore;
  nowMs(): number;
  checkoutUrl(sessionId: string): string;
  emit(type: StripeEvent['type'], object: CheckoutSession | Charge, apiVersion: string | null): void;
}

const metadata = z.record(z.string(), z.string()).default({});
const integer = z.coerce.number().int();

const CreateSession = z.object({
  mode: z.literal('payment', { error: 'the sandbox supports mode=payment only' }),
  line_items: z
    .array(
      z.object({
        price_data: z.object(
          {
            currency: z.string().regex(/^[a-zA-Z]{3}$/),
            unit_amount: integer.nonnegative(),
            product_data: z.object({ name: z.string().min(1), description: z.string().optional() }),
          },
          { error: 'the sandbox needs price_data (stored prices are not supported)' },
        ),
        quantity: integer.positive().default(1),
      }),
    )
    .min(1),
  success_url: z.url(),
  cancel_url: z.url().optional(),
  client_reference_id: z.string().max(200).optional(),
  customer_email: z.email().optional(),
  metadata,
  payment_method_types: z.array(z.string()).optional(),
  payment_intent_data: z.object({ metadata }).optional(),
  expires_at: integer.optional(),
});

const CreateRefund = z
  .object({
    payment_intent: z.string().optional(),
    charge: z.string().optional(),
    amount: integer.positive().optional(),
    reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
    metadata,
  })
  .refine((r) => r.payment_intent || r.charge, { message: 'one of payment_intent or charge is required', path: ['payment_intent'] });

function badParams(error: z.ZodError): ApiResult {
  const issue = error.issues[0];
  const param = issue ? formatParam(issue.path) : undefined;
  return { status: 400, body: invalidRequest(`Invalid ${param ?? 'request'}: ${issue?.message ?? 'invalid'}`, param, 'parameter_invalid') };
}

/** ['line_items', 0, 'quantity'] -> 'line_items[0][quantity]', as Stripe names params. */
function formatParam(path: PropertyKey[]): string | undefined {
  const [head, ...rest] = path.map(String);
  return head === undefined ? undefined : head + rest.map((p) => `[${p}]`).join('');
}

function missing(kind: string, id: string): ApiResult {
  return { status: 404, body: invalidRequest(`No such ${kind}: '${id}'`, 'id', 'resource_missing') satisfies StripeErrorBody };
}

export function createSession(deps: ApiDeps, params: unknown, apiVersion: string | null): ApiResult {
  const parsed = CreateSession.safeParse(params);
  if (!parsed.success) return badParams(parsed.error);
  const input = parsed.data;
  const currencies = new Set(input.line_items.map((li) => li.price_data.currency.toLowerCase()));
  if (currencies.size !== 1) return { status: 400, body: invalidRequest('All line items must use the same currency.', 'line_items') };
  const currency = [...currencies][0] ?? 'usd';
  const nowSec = Math.floor(deps.nowMs() / 1000);
  const expiresAt = input.expires_at ?? nowSec + 24 * 3600;
  if (expiresAt < nowSec + 30 * 60 || expiresAt > nowSec + 24 * 3600) {
    return { status: 400, body: invalidRequest('expires_at must be between 30 minutes and 24 hours from now.', 'expires_at') };
  }
  const id = stripeId('cs_test');
  const items: LineItem[] = input.line_items.map((li, i) => {
    const total = li.price_data.unit_amount * li.quantity;
    return {
      id: `li_${id.slice(8)}${i}`,
      object: 'item',
      amount_subtotal: total,
      amount_total: total,
      currency,
      description: li.price_data.product_data.name,
      quantity: li.quantity,
      price: { object: 'price', currency, unit_amount: li.price_data.unit_amount, product_data: { name: li.price_data.product_data.name } },
    };
  });
  const amountTotal = items.reduce((sum, item) => sum + item.amount_total, 0);
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    amount_subtotal: amountTotal,
    amount_total: amountTotal,
    cancel_url: input.cancel_url ?? null,
    client_reference_id: input.client_reference_id ?? null,
    created: nowSec,
    currency,
    customer: null,
    customer_details: null,
    customer_email: input.customer_email ?? null,
    expires_at: expiresAt,
    livemode: false,
    metadata: input.metadata,
    mode: 'payment',
    payment_intent: null,
    payment_method_types: input.payment_method_types ?? ['card'],
    payment_status: 'unpaid',
    status: 'open',
    success_url: input.success_url,
    url: deps.checkoutUrl(id),
  };
  deps.store.state.sessions[id] = session;
  deps.store.state.lineItems[id] = items;
  deps.store.state.sessionMeta[id] = { apiVersion, paymentIntentMetadata: input.payment_intent_data?.metadata ?? {} };
  deps.store.save();
  return { status: 200, body: session };
}

/** Reads a session, expiring it first if its time has passed (Stripe expires open sessions lazily too). */
export function loadSession(deps: ApiDeps, id: string): CheckoutSession | null {
  const session = deps.store.state.sessions[id];
  if (!session) return null;
  if (session.status === 'open' && session.expires_at * 1000 <= deps.nowMs()) {
    session.status = 'expired';
    session.url = null;
    deps.store.save();
  }
  return session;
}

export function retrieveSession(deps: ApiDeps, id: string): ApiResult {
  const session = loadSession(deps, id);
  return session ? { status: 200, body: session } : missing('checkout.session', id);
}

export function listLineItems(deps: ApiDeps, id: string): ApiResult {
  const items = deps.store.state.lineItems[id];
  if (!items) return missing('checkout.session', id);
  return { status: 200, body: { object: 'list', data: items, has_more: false, url: `/v1/checkout/sessions/${id}/line_items` } };
}

export function expireSession(deps: ApiDeps, id: string): ApiResult {
  const session = loadSession(deps, id);
  if (!session) return missing('checkout.session', id);
  if (session.status !== 'open') {
    return { status: 400, body: invalidRequest(`Only Checkout Sessions with a status of open can be expired; this one is ${session.status}.`) };
  }
  session.status = 'expired';
  session.url = null;
  deps.store.save();
  return { status: 200, body: session };
}

export interface CardPayment {
  brand: string;
  last4: string;
  name: string;
  email: string | null;
}

/** Completes an open session with a successful card payment and emits checkout.session.completed. */
export function completeSession(deps: ApiDeps, session: CheckoutSession, card: CardPayment): void {
  const nowSec = Math.floor(deps.nowMs() / 1000);
  const meta = deps.store.state.sessionMeta[session.id];
  const paymentIntent = stripeId('pi');
  const charge: Charge = {
    id: stripeId('ch'),
    object: 'charge',
    amount: session.amount_total,
    amount_captured: session.amount_total,
    amount_refunded: 0,
    captured: true,
    created: nowSec,
    currency: session.currency,
    livemode: false,
    metadata: meta?.paymentIntentMetadata ?? {},
    paid: true,
    payment_intent: paymentIntent,
    payment_method_details: { type: 'card', card: { brand: card.brand, last4: card.last4 } },
    refunded: false,
    status: 'succeeded',
  };
  session.status = 'complete';
  session.payment_status = 'paid';
  session.payment_intent = paymentIntent;
  session.customer_details = { email: card.email ?? session.customer_email, name: card.name };
  session.url = null;
  deps.store.state.charges[charge.id] = charge;
  deps.store.save();
  deps.emit('checkout.session.completed', session, meta?.apiVersion ?? null);
}

export function createRefund(deps: ApiDeps, params: unknown, apiVersion: string | null): ApiResult {
  const parsed = CreateRefund.safeParse(params);
  if (!parsed.success) return badParams(parsed.error);
  const input = parsed.data;
  const charge = Object.values(deps.store.state.charges).find((c) =>
    input.charge ? c.id === input.charge : c.payment_intent === input.payment_intent,
  );
  if (!charge) {
    return input.charge ? missing('charge', input.charge) : missing('payment_intent', input.payment_intent ?? '');
  }
  const refundable = charge.amount - charge.amount_refunded;
  if (refundable === 0) {
    return { status: 400, body: invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded') };
  }
  const amount = input.amount ?? refundable;
  if (amount > refundable) {
    return {
      status: 400,
      body: invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, 'amount', 'amount_too_large'),
    };
  }
  const refund: Refund = {
    id: stripeId('re'),
    object: 'refund',
    amount,
    charge: charge.id,
    created: Math.floor(deps.nowMs() / 1000),
    currency: charge.currency,
    metadata: input.metadata,
    payment_intent: charge.payment_intent,
    reason: input.reason ?? null,
    status: 'succeeded',
  };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  deps.store.state.refunds[refund.id] = refund;
  deps.store.save();
  deps.emit('charge.refunded', charge, apiVersion);
  return { status: 200, body: refund };
}

export function retrieveRefund(deps: ApiDeps, id: string): ApiResult {
  const refund = deps.store.state.refunds[id];
  return refund ? { status: 200, body: refund } : missing('refund', id);
}

export function retrieveEvent(deps: ApiDeps, id: string): ApiResult {
  const record = deps.store.state.events[id];
  return record ? { status: 200, body: record.event } : missing('event', id);
}
