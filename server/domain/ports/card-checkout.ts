/**
 * The card processor as top-ups need it: open a hosted checkout for an amount, and tell a genuine
 * webhook delivery from a forged, altered or replayed one. server/rails/stripe implements it with the
 * real `stripe` client, against Stripe itself (live) or the sandbox's Stripe-compatible API.
 */
import type { UsdCents } from '../../../shared/money';

export interface CheckoutSessionRequest {
  amountUsdCents: UsdCents;
  /** The line shown on the hosted page ("Steward top-up: 9,700 sats"). */
  description: string;
  successUrl: string;
  cancelUrl: string;
  /** Copied to the session and to its payment, so every event about it names the top-up. */
  metadata: { userId: string; topUpId: string };
  /** The same key for the same top-up: a retried create returns the first session, never a second. */
  idempotencyKey: string;
  expiresAtSec: number;
}

export type CheckoutSessionResult =
  | { ok: true; sessionId: string; url: string }
  /** The processor answered and refused (bad parameters, account problem). */
  | { ok: false; reason: 'checkout_refused'; message: string }
  /** No usable answer; the same idempotency key may be retried. */
  | { ok: false; reason: 'checkout_unavailable'; message: string };

export type WebhookVerification =
  /** `event` is the parsed JSON of a body whose signature checked out; the domain validates its shape. */
  | { ok: true; event: unknown }
  | { ok: false; reason: 'signature_missing' | 'signature_invalid' | 'signature_stale' | 'body_not_json' };

export interface CardCheckoutPort {
  createSession(request: CheckoutSessionRequest): Promise<CheckoutSessionResult>;
  /** Checks `Stripe-Signature` over the exact bytes received, within the timestamp tolerance. */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): WebhookVerification;
}
