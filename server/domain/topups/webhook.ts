/**
 * One verified Stripe delivery, applied exactly once: in a single IMMEDIATE transaction the event id
 * is checked against those already handled, the fact is applied to its top-up (transitions.ts) and the
 * event is recorded, so a redelivery, a concurrent duplicate or a crash mid-way can never apply it
 * twice. Funding and reversals run after the commit; the retry loop picks them up after a crash.
 */
import type { TopUpRow } from '../../db/schema/topups';
import type { TopUpEngineDeps } from './deps';
import type { ParsedStripeEvent, TopUpEvent } from './stripe-events';
import { applyTopUpEvent, type EventEffect } from './transitions';

export type WebhookOutcome = 'applied' | 'no_change' | 'duplicate' | 'ignored' | 'unknown_top_up';

export interface AppliedWebhook {
  outcome: WebhookOutcome;
  /** The top-up the event changed, and what must follow the commit. */
  changed: { row: TopUpRow; effect: EventEffect } | null;
}

export function applyStripeEvent(deps: Pick<TopUpEngineDeps, 'database' | 'repo' | 'now'>, event: ParsedStripeEvent): AppliedWebhook {
  // A type we do not handle changes nothing, so there is nothing to make exactly-once: no write at all.
  if (event.fact.kind === 'ignored') return { outcome: 'ignored', changed: null };
  // Redeliveries are most of the traffic: answer them from a read, without taking the write lock.
  if (deps.repo.eventSeen(event.id)) return { outcome: 'duplicate', changed: null };
  const fact = event.fact;
  return deps.database.db.transaction(
    (): AppliedWebhook => {
      // Again under the lock: a concurrent delivery of the same event may have committed meanwhile.
      if (deps.repo.eventSeen(event.id)) return { outcome: 'duplicate', changed: null };
      const result = applyFact(deps, fact);
      deps.repo.recordEvent(event.id, event.type, result.outcome, deps.now());
      return result;
    },
    { behavior: 'immediate' },
  );
}

function applyFact(deps: Pick<TopUpEngineDeps, 'repo' | 'now'>, fact: Exclude<TopUpEvent, { kind: 'ignored' }>): AppliedWebhook {
  const row = findTopUp(deps, fact);
  if (!row) return { outcome: 'unknown_top_up', changed: null };
  const effect = applyTopUpEvent(row, fact, deps.now());
  if (effect.outcome === 'no_change') return { outcome: 'no_change', changed: null };
  // The completed event may arrive before the create call returned the session id: take it from here.
  const sessionId = 'sessionId' in fact && !row.stripeSessionId ? { stripeSessionId: fact.sessionId } : {};
  const patch = { ...effect.patch, ...sessionId, updatedAtMs: deps.now() };
  deps.repo.update(row.id, patch);
  return { outcome: 'applied', changed: { row: { ...row, ...patch }, effect } };
}

function findTopUp(deps: Pick<TopUpEngineDeps, 'repo'>, fact: Exclude<TopUpEvent, { kind: 'ignored' }>): TopUpRow | undefined {
  if ('topUpId' in fact && fact.topUpId) {
    const row = deps.repo.byId(fact.topUpId);
    // Metadata names the top-up, but a session id we already hold must agree with it.
    if (row && 'sessionId' in fact && row.stripeSessionId && row.stripeSessionId !== fact.sessionId) return undefined;
    if (row) return row;
  }
  if ('sessionId' in fact) return deps.repo.bySessionId(fact.sessionId);
  return deps.repo.byPaymentIntent(fact.paymentIntentId);
}
