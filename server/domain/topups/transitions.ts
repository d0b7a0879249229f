/**
 * How a top-up's state answers each Stripe fact, and what a refund or dispute takes back: pure
 * functions, so every ordering of deliveries can be checked without a database.
 *
 * Exactly once by session: only a top-up still waiting for its payment (`created`, or one whose
 * session Stripe called expired or failed before the payment arrived) becomes `paid`; every later
 * delivery about the same session finds it past that and changes nothing.
 */
import type { TopUpStatus } from '../../../shared/topups';
import type { TopUpEvent } from './stripe-events';

export interface TopUpState {
  status: TopUpStatus;
  amountUsdCents: number;
  amountMsat: number;
  refundedUsdCents: number;
  disputed: boolean;
  reversedMsat: number;
  owedMsat: number;
  invoice: string | null;
  fundedAtMs: number | null;
  paymentIntentId: string | null;
}

export interface EventEffect {
  outcome: 'applied' | 'no_change';
  patch: Partial<Pick<TopUpState, 'status' | 'refundedUsdCents' | 'disputed' | 'paymentIntentId'>> & { nextAttemptAtMs?: number | null };
  /** Start funding now (the card is paid). */
  fund: boolean;
  /** The credit already reached the person: settle what a refund or dispute takes back. */
  reverse: boolean;
}

const NOTHING: EventEffect = { outcome: 'no_change', patch: {}, fund: false, reverse: false };
const AWAITING_PAYMENT: readonly TopUpStatus[] = ['created', 'expired', 'failed'];

type FactAboutTopUp = Exclude<TopUpEvent, { kind: 'ignored' }>;

export function applyTopUpEvent(state: TopUpState, fact: FactAboutTopUp, nowMs: number): EventEffect {
  switch (fact.kind) {
    case 'session_paid':
      return paid(state, fact.paymentIntentId, nowMs);
    case 'session_awaiting_payment':
      if (state.status !== 'created' || !fact.paymentIntentId || state.paymentIntentId) return NOTHING;
      return { ...NOTHING, outcome: 'applied', patch: { paymentIntentId: fact.paymentIntentId } };
    case 'session_failed':
      return state.status === 'created' ? { ...NOTHING, outcome: 'applied', patch: { status: 'failed' } } : NOTHING;
    case 'session_expired':
      // An expiry after the payment (a late or reordered delivery) changes nothing.
      return state.status === 'created' ? { ...NOTHING, outcome: 'applied', patch: { status: 'expired' } } : NOTHING;
    case 'charge_refunded': {
      const refundedUsdCents = Math.min(state.amountUsdCents, Math.max(state.refundedUsdCents, fact.refundedCents));
      if (refundedUsdCents === state.refundedUsdCents) return NOTHING;
      return takeBack({ ...state, refundedUsdCents }, { refundedUsdCents });
    }
    case 'dispute_created':
      return state.disputed ? NOTHING : takeBack({ ...state, disputed: true }, { disputed: true });
  }
}

function paid(state: TopUpState, paymentIntentId: string | null, nowMs: number): EventEffect {
  if (!AWAITING_PAYMENT.includes(state.status)) return NOTHING;
  const patch = { paymentIntentId: state.paymentIntentId ?? paymentIntentId };
  // A refund or dispute that arrived before the payment's own event: nothing is owed to the person.
  const closed = closedBeforeFunding(state);
  if (closed) return { ...NOTHING, outcome: 'applied', patch: { ...patch, status: closed } };
  return { outcome: 'applied', patch: { ...patch, status: 'paid', nextAttemptAtMs: nowMs }, fund: true, reverse: false };
}

/** A refund or dispute: before any funding it stops it; after the credit it takes the credit back. */
function takeBack(next: TopUpState, patch: EventEffect['patch']): EventEffect {
  if (next.fundedAtMs !== null) return { outcome: 'applied', patch, fund: false, reverse: true };
  const closed = next.invoice === null && (next.status === 'paid' || next.status === 'funding_delayed') ? closedBeforeFunding(next) : null;
  // With an invoice out, the treasury may already be paying it: funding finishes, then the credit is taken back.
  return { outcome: 'applied', patch: closed ? { ...patch, status: closed, nextAttemptAtMs: null } : patch, fund: false, reverse: false };
}

function closedBeforeFunding(state: TopUpState): 'refunded' | 'disputed' | null {
  if (state.disputed) return 'disputed';
  return state.refundedUsdCents >= state.amountUsdCents ? 'refunded' : null;
}

export interface ReversalPlan {
  /** Msat to move out of the person's available funds now. */
  takeMsat: number;
  /** What remains uncovered after this take. */
  owedMsat: number;
  status: TopUpStatus;
}

/**
 * What of a credited top-up a refund (its refunded share) or a dispute (all of it) takes back, given
 * what the person can still spend. Whatever their funds do not cover is owed.
 */
export function planReversal(state: TopUpState, availableMsat: number): ReversalPlan {
  const refundedShare = Math.floor((state.amountMsat * state.refundedUsdCents) / state.amountUsdCents);
  const target = state.disputed ? state.amountMsat : Math.min(state.amountMsat, refundedShare);
  const wanted = Math.max(0, target - state.reversedMsat);
  const takeMsat = Math.min(wanted, Math.max(0, availableMsat));
  const status: TopUpStatus = state.disputed ? 'disputed' : state.refundedUsdCents >= state.amountUsdCents ? 'refunded' : 'funded';
  return { takeMsat, owedMsat: wanted - takeMsat, status };
}
