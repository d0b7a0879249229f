import { describe, expect, it } from 'vitest';
import { applyTopUpEvent, planReversal, type TopUpState } from './transitions';

const created: TopUpState = {
  status: 'created',
  amountUsdCents: 1_000,
  amountMsat: 9_700_000,
  refundedUsdCents: 0,
  disputed: false,
  reversedMsat: 0,
  owedMsat: 0,
  invoice: null,
  fundedAtMs: null,
  paymentIntentId: null,
};
const paidFact = { kind: 'session_paid', topUpId: 't', sessionId: 'cs', paymentIntentId: 'pi' } as const;
const funded: TopUpState = { ...created, status: 'funded', invoice: 'lninv', fundedAtMs: 5, paymentIntentId: 'pi' };

describe('applyTopUpEvent', () => {
  it('makes a waiting top-up paid once; a second payment event for it changes nothing', () => {
    const first = applyTopUpEvent(created, paidFact, 7);
    expect(first).toMatchObject({ outcome: 'applied', fund: true, patch: { status: 'paid', paymentIntentId: 'pi', nextAttemptAtMs: 7 } });
    for (const status of ['paid', 'funding', 'funded', 'funding_delayed', 'refunded'] as const) {
      expect(applyTopUpEvent({ ...created, status }, paidFact, 7)).toMatchObject({ outcome: 'no_change', fund: false });
    }
  });

  it('still funds a payment that arrives after Stripe called the session expired', () => {
    expect(applyTopUpEvent({ ...created, status: 'expired' }, paidFact, 7)).toMatchObject({ fund: true, patch: { status: 'paid' } });
  });

  it('ignores an expiry or failure once paid', () => {
    expect(applyTopUpEvent(funded, { kind: 'session_expired', topUpId: 't', sessionId: 'cs' }, 7).outcome).toBe('no_change');
    expect(applyTopUpEvent(funded, { kind: 'session_failed', topUpId: 't', sessionId: 'cs' }, 7).outcome).toBe('no_change');
  });

  it('a refund before any invoice closes the top-up; with an invoice out, funding finishes first', () => {
    const refund = { kind: 'charge_refunded', topUpId: 't', paymentIntentId: 'pi', amountCents: 1_000, refundedCents: 1_000 } as const;
    expect(applyTopUpEvent({ ...created, status: 'paid' }, refund, 7)).toMatchObject({ patch: { status: 'refunded', nextAttemptAtMs: null }, reverse: false });
    expect(applyTopUpEvent({ ...created, status: 'funding', invoice: 'lninv' }, refund, 7)).toMatchObject({ patch: { refundedUsdCents: 1_000 }, reverse: false });
    expect(applyTopUpEvent({ ...created, status: 'funding', invoice: 'lninv' }, refund, 7).patch.status).toBeUndefined();
    expect(applyTopUpEvent(funded, refund, 7)).toMatchObject({ reverse: true });
    // Refund events carry the cumulative amount: an older one delivered late changes nothing.
    expect(applyTopUpEvent({ ...funded, refundedUsdCents: 1_000 }, { ...refund, refundedCents: 400 }, 7).outcome).toBe('no_change');
  });
});

describe('planReversal', () => {
  it('takes back the refunded share, what the funds do not cover is owed', () => {
    expect(planReversal({ ...funded, refundedUsdCents: 500 }, 10_000_000)).toEqual({ takeMsat: 4_850_000, owedMsat: 0, status: 'funded' });
    expect(planReversal({ ...funded, refundedUsdCents: 1_000 }, 1_000_000)).toEqual({ takeMsat: 1_000_000, owedMsat: 8_700_000, status: 'refunded' });
    expect(planReversal({ ...funded, refundedUsdCents: 1_000, reversedMsat: 1_000_000, owedMsat: 8_700_000 }, 0)).toEqual({ takeMsat: 0, owedMsat: 8_700_000, status: 'refunded' });
  });

  it('a dispute freezes all of it', () => {
    expect(planReversal({ ...funded, disputed: true }, 20_000_000)).toEqual({ takeMsat: 9_700_000, owedMsat: 0, status: 'disputed' });
  });
});
