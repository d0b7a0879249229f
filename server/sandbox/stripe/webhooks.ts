/**
 * Delivers events to the app's webhook endpoint as Stripe does: JSON body, fresh `Stripe-Signature`
 * on every attempt, retried with exponential backoff until a 2xx or the attempt cap.
 */
import type { StripeEvent } from './objects';
import { stripeSignatureHeader } from './signature';

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Per-attempt timeout; Stripe waits a bounded time for the endpoint too. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 10, attemptTimeoutMs: 10_000 };

export type DeliveryResult = { delivered: true; attempts: number } | { delivered: false; attempts: number; lastError: string };

export interface WebhookSender {
  deliver(event: StripeEvent): Promise<DeliveryResult>;
  /** Cancels pending retries; in-flight attempts finish or time out. */
  close(): void;
}

export function createWebhookSender(opts: {
  url: string;
  secret: string;
  retry: RetryPolicy;
  nowMs: () => number;
}): WebhookSender {
  const closing = new AbortController();
  const attempt = async (payload: string): Promise<string | null> => {
    const timestampSec = Math.floor(opts.nowMs() / 1000);
    try {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': stripeSignatureHeader(payload, opts.secret, timestampSec),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(opts.retry.attemptTimeoutMs)]),
      });
      await res.arrayBuffer();
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  return {
    async deliver(event) {
      // Stripe sends pretty-printed JSON; the signature covers these exact bytes.
      const payload = JSON.stringify(event, null, 2);
      let lastError = 'not attempted';
      for (let n = 1; n <= opts.retry.maxAttempts; n++) {
        if (closing.signal.aborted) return { delivered: false, attempts: n - 1, lastError: 'sender closed' };
        const error = await attempt(payload);
        if (error === null) return { delivered: true, attempts: n };
        lastError = error;
        if (n < opts.retry.maxAttempts) {
          const delayMs = Math.min(opts.retry.initialDelayMs * 2 ** (n - 1), opts.retry.maxDelayMs);
          await wait(delayMs, closing.signal);
        }
      }
      return { delivered: false, attempts: opts.retry.maxAttempts, lastError };
    },
    close: () => closing.abort(),
  };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
