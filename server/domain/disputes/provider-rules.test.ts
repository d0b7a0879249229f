import { describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import type { WalletResult, WalletTransaction } from '../ports/wallet';
import { claimReasonFor, judgeReturnInvoice, nextProviderLookMs, providerRoute, RETURN_INVOICE_EXPIRY_GRACE_MS } from './provider-rules';

const HASH = 'a'.repeat(64);
const tx = (state: WalletTransaction['state'], amountMsat = 2_000): WalletResult<WalletTransaction> => ({
  ok: true,
  value: { direction: 'incoming', state, invoice: 'lnbcrt1x', paymentHashHex: HASH, preimageHex: null, amountMsat: msat(amountMsat), feesPaidMsat: msat(0), description: '', createdAtSec: 0, expiresAtSec: 60, settledAtSec: null },
});
const at = { refundMsat: 2_000, expiresAtMs: 60_000, nowMs: 10_000 };

describe('providerRoute', () => {
  it('asks only a provider with an endpoint, for a payment with its proof', () => {
    expect(providerRoute('http://p/refund', { preimageHex: 'b'.repeat(64), paymentHash: HASH })).toEqual({ ask: true, endpointUrl: 'http://p/refund' });
    expect(providerRoute(null, { preimageHex: 'b'.repeat(64), paymentHash: HASH })).toEqual({ ask: false, reason: 'no_endpoint' });
    expect(providerRoute('http://p/refund', { preimageHex: null, paymentHash: HASH })).toEqual({ ask: false, reason: 'no_proof' });
  });
});

describe('judgeReturnInvoice: only the wallet is believed', () => {
  it('paid only when settled for the full amount', () => {
    expect(judgeReturnInvoice(tx('settled'), at).verdict).toBe('paid');
    expect(judgeReturnInvoice(tx('settled', 1_999), at).verdict).toBe('lapsed');
  });
  it('the treasury may pay only when the invoice can no longer be paid', () => {
    expect(judgeReturnInvoice(tx('pending'), at).verdict).toBe('waiting');
    expect(judgeReturnInvoice(tx('accepted'), { ...at, nowMs: 10_000_000 }).verdict).toBe('waiting');
    expect(judgeReturnInvoice(tx('expired'), at).verdict).toBe('lapsed');
    expect(judgeReturnInvoice(tx('pending'), { ...at, nowMs: at.expiresAtMs + RETURN_INVOICE_EXPIRY_GRACE_MS }).verdict).toBe('waiting');
    expect(judgeReturnInvoice(tx('pending'), { ...at, nowMs: at.expiresAtMs + RETURN_INVOICE_EXPIRY_GRACE_MS + 1 }).verdict).toBe('lapsed');
    expect(judgeReturnInvoice({ ok: false, outcome: 'refused', reason: 'not_found', message: '' }, at).verdict).toBe('lapsed');
    // A silent wallet proves nothing: wait.
    expect(judgeReturnInvoice({ ok: false, outcome: 'unknown', reason: 'reply_timeout', message: 'no reply' } as never, at).verdict).toBe('waiting');
  });
});

describe('claims and timing', () => {
  it('names the claim by what the provider answered', () => {
    expect(claimReasonFor('refused')).toBe('refused');
    expect(claimReasonFor('refunded')).toBe('not_paid');
    expect(claimReasonFor('no_answer')).toBe('no_answer');
    expect(claimReasonFor(null)).toBe('no_answer');
  });
  it('looks again no later than just after the expiry', () => {
    expect(nextProviderLookMs({ nowMs: 0, expiresAtMs: 3_000, backoffMs: 5_000 })).toBe(4_000);
    expect(nextProviderLookMs({ nowMs: 0, expiresAtMs: 60_000, backoffMs: 5_000 })).toBe(5_000);
    expect(nextProviderLookMs({ nowMs: 70_000, expiresAtMs: 60_000, backoffMs: 5_000 })).toBe(75_000);
  });
});
