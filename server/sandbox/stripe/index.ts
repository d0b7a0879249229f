/**
 * An offline, Stripe-compatible API and hosted checkout page. The app points the real `stripe`
 * client at it (`new Stripe(key, { host, port, protocol: 'http' })`); paying on the hosted page
 * delivers a correctly signed `checkout.session.completed` to the app's webhook, retried with
 * backoff until a 2xx; refunds emit `charge.refunded`.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSession, completeSession, createRefund, expireSession, listLineItems, loadSession, retrieveEvent, retrieveRefund, retrieveSession } from './api';
import type { ApiDeps, ApiResult } from './api';
import { CHECKOUT_CSS, renderCheckoutPage, renderClosedPage } from './checkout-page';
import { payWithCardForm } from './checkout';
import { parseStripeForm } from './form';
import { invalidRequest, stripeId } from './objects';
import type { StripeEvent } from './objects';
import { openStripeStore } from './store';
import { DEFAULT_RETRY, createWebhookSender } from './webhooks';
import type { RetryPolicy } from './webhooks';

export type { RetryPolicy } from './webhooks';
export { stripeSignatureHeader } from './signature';

export interface StripeSandboxOptions {
  host: string;
  port: number;
  webhookUrl: string;
  webhookSecret: string;
  /** Sessions, charges, refunds and events persist here (stripe-sandbox.json). */
  dataDir?: string;
  retry?: Partial<RetryPolicy>;
  now?: () => number; // ms
}

export interface RunningStripeSandbox {
  url: string;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 256 * 1024;

export async function startStripeSandbox(opts: StripeSandboxOptions): Promise<RunningStripeSandbox> {
  const nowMs = opts.now ?? Date.now;
  const store = openStripeStore(opts.dataDir);
  const sender = createWebhookSender({
    url: opts.webhookUrl,
    secret: opts.webhookSecret,
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    nowMs,
  });
  const inFlight = new Set<Promise<unknown>>();
  const dispatch = (event: StripeEvent) => {
    const delivery = sender.deliver(event).then((result) => {
      const record = store.state.events[event.id];
      if (result.delivered && record) {
        record.delivered = true;
        store.save();
      }
    });
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  };

  let baseUrl = '';
  const deps: ApiDeps = {
    store,
    nowMs,
    checkoutUrl: (id) => `${baseUrl}/checkout/${id}`,
    emit(type, object, apiVersion) {
      const event: StripeEvent = {
        id: stripeId('evt'),
        object: 'event',
        api_version: apiVersion,
        created: Math.floor(nowMs() / 1000),
        data: { object: structuredClone(object) },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
      store.state.events[event.id] = { event, delivered: false };
      store.save();
      dispatch(event);
    },
  };

  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseStripeForm(String(body)));
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    void reply.status(status).send({ error: { type: status < 500 ? 'invalid_request_error' : 'api_error', message: error.message } });
  });

  registerApi(app, deps);
  registerCheckout(app, deps);

  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('stripe sandbox is not listening on a TCP port');
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  // Events the endpoint never acknowledged before a restart are delivered again, as Stripe keeps retrying.
  for (const record of Object.values(store.state.events)) if (!record.delivered) dispatch(record.event);

  return {
    url: baseUrl,
    async close() {
      sender.close();
      await app.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

type App = FastifyInstance;
type IdParams = { Params: { id: string } };

function registerApi(app: App, deps: ApiDeps) {
  // Stripe answers POSTs that reuse an Idempotency-Key with the first response; the client keys every POST.
  const idempotent = new Map<string, { fingerprint: string; result: ApiResult }>();
  const IDEMPOTENCY_KEYS_KEPT = 10_000;
  const send = (reply: FastifyReply, result: ApiResult) => reply.status(result.status).header('request-id', stripeId('req')).send(result.body);
  const post = (request: FastifyRequest, reply: FastifyReply, run: () => ApiResult) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') return send(reply, run());
    const fingerprint = `${request.url} ${JSON.stringify(request.body)}`;
    const previous = idempotent.get(key);
    if (previous && previous.fingerprint !== fingerprint) {
      return send(reply, {
        status: 400,
        body: { error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' } },
      });
    }
    if (previous) return send(reply.header('idempotent-replayed', 'true'), previous.result);
    const result = run();
    if (result.status < 500) idempotent.set(key, { fingerprint, result });
    // Forget the oldest keys first (Map keeps insertion order); Stripe itself keeps them for 24 hours.
    if (idempotent.size > IDEMPOTENCY_KEYS_KEPT) idempotent.delete(idempotent.keys().next().value ?? '');
    return send(reply, result);
  };
  const apiVersion = (request: FastifyRequest) => {
    const version = request.headers['stripe-version'];
    return typeof version === 'string' ? version : null;
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const auth = request.headers.authorization ?? '';
    if (!/^Bearer \S+$/.test(auth)) {
      return reply.status(401).send(invalidRequest('You did not provide an API key. Provide it as "Authorization: Bearer <key>".'));
    }
  });

  app.post('/v1/checkout/sessions', (request, reply) => post(request, reply, () => createSession(deps, request.body, apiVersion(request))));
  app.get<IdParams>('/v1/checkout/sessions/:id', (request, reply) => send(reply, retrieveSession(deps, request.params.id)));
  app.get<IdParams>('/v1/checkout/sessions/:id/line_items', (request, reply) => send(reply, listLineItems(deps, request.params.id)));
  app.post<IdParams>('/v1/checkout/sessions/:id/expire', (request, reply) => post(request, reply, () => expireSession(deps, request.params.id)));
  app.post('/v1/refunds', (request, reply) => post(request, reply, () => createRefund(deps, request.body, apiVersion(request))));
  app.get<IdParams>('/v1/refunds/:id', (request, reply) => send(reply, retrieveRefund(deps, request.params.id)));
  app.get<IdParams>('/v1/events/:id', (request, reply) => send(reply, retrieveEvent(deps, request.params.id)));
  app.all('/v1/*', (request, reply) =>
    send(reply, { status: 404, body: invalidRequest(`Unrecognized request URL (${request.method}: ${request.url}). The Stripe sandbox implements only what the app uses.`) }),
  );
}

function registerCheckout(app: App, deps: ApiDeps) {
  const html = (reply: FastifyReply, status: number, body: string, session?: { success_url: string; cancel_url: string | null }) => {
    // The form posts to us and we redirect to the app's success URL, so form-action must allow its origin.
    const redirectOrigins = session ? [session.success_url, session.cancel_url].flatMap((u) => (u ? [new URL(u).origin] : [])) : [];
    const formAction = ["'self'", ...new Set(redirectOrigins)].join(' ');
    return reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header(
        'content-security-policy',
        `default-src 'none'; style-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      )
      .send(body);
  };

  app.get('/checkout/assets/checkout.css', (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CHECKOUT_CSS),
  );
  app.get<IdParams>('/checkout/:id', (request, reply) => {
    const session = loadSession(deps, request.params.id);
    if (!session) return html(reply, 404, '<!doctype html><title>Not found</title><p>No such checkout session.</p>');
    if (session.status !== 'open') return html(reply, 410, renderClosedPage(session), session);
    return html(reply, 200, renderCheckoutPage(session, deps.store.state.lineItems[session.id] ?? []), session);
  });
  app.post<IdParams>('/checkout/:id', (request, reply) => {
    const session = loadSession(deps, request.params.id);
    if (!session) return html(reply, 404, '<!doctype html><title>Not found</title><p>No such checkout session.</p>');
    if (session.status !== 'open') return html(reply, 410, renderClosedPage(session), session);
    const outcome = payWithCardForm(request.body, deps.nowMs());
    if (!outcome.ok) {
      const page = renderCheckoutPage(session, deps.store.state.lineItems[session.id] ?? [], { error: outcome.message, values: outcome.values });
      return html(reply, 402, page, session);
    }
    completeSession(deps, session, outcome.card);
    return reply.redirect(session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id), 303);
  });
  app.get<IdParams>('/checkout/:id/cancel', (request, reply) => {
    const session = loadSession(deps, request.params.id);
    if (!session?.cancel_url) return html(reply, 404, '<!doctype html><title>Not found</title><p>Nothing to return to.</p>');
    return reply.redirect(session.cancel_url, 303);
  });
}
