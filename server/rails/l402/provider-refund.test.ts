import { describe, expect, it } from 'vitest';
import type { ProviderRefundRequest } from '../../../shared/provider-refunds';
import type { L402FetchResult } from './fetcher';
import { askProviderRefund, refundEndpointUrl } from './provider-refund';

const REQUEST: ProviderRefundRequest = {
  version: 1,
  payment_hash: 'a'.repeat(64),
  preimage: 'b'.repeat(64),
  macaroon_id: `0000${'a'.repeat(64)}`,
  amount_msat: 2_001,
  reason: 'not_delivered: server_error',
  return_invoice: 'lnbcrt1return',
  dispute_id: 'd-1',
};

const answering = (status: number, text: string) => async (): Promise<L402FetchResult> => ({ ok: true, response: { status, headers: new Headers(), url: 'http://p/refund', text: () => text } });

describe('asking a provider for a refund', () => {
  it('posts the request with the short timeout, and reads a refund or a refusal', async () => {
    const seen: { body?: string; timeoutMs?: number; method?: string }[] = [];
    const fetcher = async (_url: string, request?: { body?: string; timeoutMs?: number; method?: string }): Promise<L402FetchResult> => {
      seen.push(request ?? {});
      return answering(200, '{"status":"refunded"}')();
    };
    expect(await askProviderRefund(fetcher, 'http://p/refund', REQUEST, 1_500)).toEqual({ kind: 'refunded' });
    expect(seen[0]).toMatchObject({ method: 'POST', timeoutMs: 1_500 });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(REQUEST);
    expect(await askProviderRefund(answering(403, '{"status":"refused","reason":"no refunds"}'), 'http://p/refund', REQUEST, 1_000)).toEqual({ kind: 'refused', reason: 'no refunds' });
  });

  it('counts a timeout, garbage, or "refunded" on an error status as no answer', async () => {
    const timedOut = async (): Promise<L402FetchResult> => ({ ok: false, reason: 'timeout', detail: 'no response within 1000 ms' });
    expect(await askProviderRefund(timedOut, 'http://p/refund', REQUEST, 1_000)).toMatchObject({ kind: 'no_answer', detail: expect.stringContaining('timeout') });
    expect((await askProviderRefund(answering(200, '{"status":"refunded!!"'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
    expect((await askProviderRefund(answering(200, '{"status":"maybe"}'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
    expect((await askProviderRefund(answering(500, '{"status":"refunded"}'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
  });

  it('resolves the endpoint on the provider origin only', () => {
    expect(refundEndpointUrl('http://127.0.0.1:4021', '/l402/refund/x')).toBe('http://127.0.0.1:4021/l402/refund/x');
    expect(refundEndpointUrl('http://127.0.0.1:4021', '//elsewhere.example/refund')).toBeNull();
    expect(refundEndpointUrl('http://127.0.0.1:4021', undefined)).toBeNull();
  });
});
