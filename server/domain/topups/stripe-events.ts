/**
 * The Stripe events top-ups act on, read from a verified event's JSON with zod into named facts.
 * Anything else (another type, or a shape we do not expect) is `ignored`: Stripe gets a 200 and stops
 * retrying, and nothing changes. The top-up is named by the metadata we set on the session and its
 * payment; a dispute carries no metadata of ours, so it is found by its payment intent.
 */
import { z } from 'zod';

export type TopUpEvent =
  | { kind: 'session_paid'; topUpId: string | null; sessionId: string; paymentIntentId: string | null }
  /** Completed, but an asynchronous payment method has not settled: wait for its own event. */
  | { kind: 'session_awaiting_payment'; topUpId: string | null; sessionId: string; paymentIntentId: string | null }
  | { kind: 'session_failed'; topUpId: string | null; sessionId: string }
  | { kind: 'session_expired'; topUpId: string | null; sessionId: string }
  | { kind: 'charge_refunded'; topUpId: string | null; paymentIntentId: string; amountCents: number; refundedCents: number }
  | { kind: 'dispute_created'; paymentIntentId: string; disputeId: string }
  | { kind: 'ignored' };

export interface ParsedStripeEvent {
  id: string;
  type: string;
  fact: TopUpEvent;
}

const envelope = z.object({ id: z.string().min(1), type: z.string().min(1), data: z.object({ object: z.unknown() }) });
const metadata = z.record(z.string(), z.string()).nullish();
const topUpIdOf = (m: z.infer<typeof metadata>) => m?.topUpId ?? null;

const session = z.object({
  id: z.string().min(1),
  payment_status: z.string(),
  payment_intent: z.string().nullish(),
  metadata,
});
const charge = z.object({
  payment_intent: z.string().min(1),
  amount: z.number().int().positive(),
  amount_refunded: z.number().int().nonnegative(),
  metadata,
});
const dispute = z.object({ id: z.string().min(1), payment_intent: z.string().min(1) });

/** null when the JSON is not a Stripe event at all (the route answers 400). */
export function parseStripeEvent(json: unknown): ParsedStripeEvent | null {
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return null;
  const { id, type, data } = parsed.data;
  return { id, type, fact: factOf(type, data.object) };
}

function factOf(type: string, object: unknown): TopUpEvent {
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return sessionFact(object, (s) => ({
        kind: s.payment_status === 'paid' ? 'session_paid' : 'session_awaiting_payment',
        topUpId: topUpIdOf(s.metadata),
        sessionId: s.id,
        paymentIntentId: s.payment_intent ?? null,
      }));
    case 'checkout.session.async_payment_failed':
      return sessionFact(object, (s) => ({ kind: 'session_failed', topUpId: topUpIdOf(s.metadata), sessionId: s.id }));
    case 'checkout.session.expired':
      return sessionFact(object, (s) => ({ kind: 'session_expired', topUpId: topUpIdOf(s.metadata), sessionId: s.id }));
    case 'charge.refunded': {
      const c = charge.safeParse(object);
      if (!c.success) return { kind: 'ignored' };
      const { payment_intent: paymentIntentId, amount, amount_refunded: refundedCents } = c.data;
      return { kind: 'charge_refunded', topUpId: topUpIdOf(c.data.metadata), paymentIntentId, amountCents: amount, refundedCents };
    }
    case 'charge.dispute.created': {
      const d = dispute.safeParse(object);
      return d.success ? { kind: 'dispute_created', paymentIntentId: d.data.payment_intent, disputeId: d.data.id } : { kind: 'ignored' };
    }
    default:
      return { kind: 'ignored' };
  }
}

function sessionFact(object: unknown, make: (s: z.infer<typeof session>) => TopUpEvent): TopUpEvent {
  const s = session.safeParse(object);
  return s.success ? make(s.data) : { kind: 'ignored' };
}
