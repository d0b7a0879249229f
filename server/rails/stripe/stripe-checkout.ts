/**
 * The card-checkout port over the real `stripe` client: Checkout Sessions on Stripe itself (live keys)
 * or on the sandbox's Stripe-compatible API (`apiBaseUrl`), and webhook signatures checked by the
 * library's own `webhooks.constructEvent` over the raw body.
 */
import Stripe from 'stripe';
import type { CardCheckoutPort, CheckoutSessionRequest, CheckoutSessionResult, WebhookVerification } from '../../domain/ports/card-checkout';

export interface StripeCheckoutOptions {
  secretKey: string;
  webhookSecret: string;
  /** The sandbox's API origin (http://127.0.0.1:port); absent = api.stripe.com. */
  apiBaseUrl?: string;
  /** Oldest signature timestamp accepted, in seconds (Stripe's default: 300). */
  toleranceSec?: number;
  now?: () => number;
}

const DEFAULT_TOLERANCE_SEC = 300;

export function createStripeCheckout(options: StripeCheckoutOptions): CardCheckoutPort {
  const stripe = new Stripe(options.secretKey, { ...hostOptions(options.apiBaseUrl), maxNetworkRetries: 2, timeout: 20_000 });
  const now = options.now ?? Date.now;
  const toleranceSec = options.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  return {
    createSession: (request) => createSession(stripe, request),
    verifyWebhook(rawBody, signatureHeader): WebhookVerification {
      if (!signatureHeader) return { ok: false, reason: 'signature_missing' };
      try {
        const event: unknown = stripe.webhooks.constructEvent(rawBody, signatureHeader, options.webhookSecret, toleranceSec, undefined, now());
        return { ok: true, event };
      } catch (error) {
        return { ok: false, reason: verificationFailure(error) };
      }
    },
  };
}

function hostOptions(apiBaseUrl: string | undefined): Partial<Stripe.StripeConfig> {
  if (!apiBaseUrl) return {};
  const url = new URL(apiBaseUrl);
  return { host: url.hostname, port: Number(url.port), protocol: url.protocol === 'https:' ? 'https' : 'http' };
}

async function createSession(stripe: Stripe, request: CheckoutSessionRequest): Promise<CheckoutSessionResult> {
  try {
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          { price_data: { currency: 'usd', unit_amount: request.amountUsdCents, product_data: { name: request.description } }, quantity: 1 },
        ],
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
        client_reference_id: request.metadata.topUpId,
        metadata: request.metadata,
        payment_intent_data: { metadata: request.metadata },
        expires_at: request.expiresAtSec,
      },
      { idempotencyKey: request.idempotencyKey },
    );
    if (!session.url) return { ok: false, reason: 'checkout_refused', message: 'Stripe returned a session without a checkout page.' };
    return { ok: true, sessionId: session.id, url: session.url };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Stripe answered with a 4xx: the request itself is wrong, retrying it changes nothing.
    const refused = error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeAuthenticationError;
    return { ok: false, reason: refused ? 'checkout_refused' : 'checkout_unavailable', message };
  }
}

function verificationFailure(error: unknown): 'signature_invalid' | 'signature_stale' | 'body_not_json' {
  if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
    return error.message.startsWith('Timestamp outside the tolerance zone') ? 'signature_stale' : 'signature_invalid';
  }
  // constructEvent parses the body only after the signature matched: a signed body that is not JSON.
  return error instanceof SyntaxError ? 'body_not_json' : 'signature_invalid';
}
