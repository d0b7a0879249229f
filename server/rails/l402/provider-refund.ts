/**
 * The provider refund protocol's client side (docs/provider-refunds.md): one POST of the proof of
 * payment and the return invoice to the provider's refund endpoint, through the guarded fetch (the
 * SSRF guard every agent fetch goes through) with a short timeout, its answer read through the shared
 * zod schema. Anything else (timeout, unreachable, HTTP error, a body that is not the protocol's) is
 * `no_answer`. The answer is only the provider's word: the disputes domain checks the wallet.
 */
import { providerRefundAnswerSchema, type ProviderRefundRequest } from '../../../shared/provider-refunds';
import type { ProviderRefundReply } from '../../domain/ports/provider-refund';
import type { L402FetchRequest, L402FetchResult } from './fetcher';

type TimedFetcher = (url: string, request?: L402FetchRequest & { timeoutMs?: number }) => Promise<L402FetchResult>;

/** A provider's refund endpoint, resolved against its origin; null when it would lead anywhere else. */
export function refundEndpointUrl(origin: string, refundPath: string | undefined): string | null {
  // A path no parser accepts (`//[x`) is no endpoint: the treasury refunds, nothing throws in the refund loop.
  if (!refundPath || !URL.canParse(refundPath, origin)) return null;
  const url = new URL(refundPath, origin);
  // `//other-host/refund` (or `/\other-host`) would send the proof of payment (and a person's invoice) to
  // someone else; credentials in the address have no place in the protocol.
  return url.origin === new URL(origin).origin && !url.username && !url.password ? url.href : null;
}

export async function askProviderRefund(fetcher: TimedFetcher, endpointUrl: string, request: ProviderRefundRequest, timeoutMs: number): Promise<ProviderRefundReply> {
  const result = await fetcher(endpointUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(request),
    timeoutMs,
  });
  if (!result.ok) return { kind: 'no_answer', detail: `${result.reason}: ${result.detail}` };
  const { status } = result.response;
  const parsed = providerRefundAnswerSchema.safeParse(parseJson(result.response.text()));
  // A refusal may come with a 4xx; an answer the protocol does not know is no answer.
  if (!parsed.success || (status !== 200 && parsed.data.status === 'refunded')) return { kind: 'no_answer', detail: `status ${status}, not a refund answer` };
  return parsed.data.status === 'refunded' ? { kind: 'refunded' } : { kind: 'refused', reason: parsed.data.reason };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
