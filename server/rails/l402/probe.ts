/**
 * Asks for a challenge without paying: sends the real request (method, query and body decide the
 * price on metered or body-priced services) and reads the 402. The decoded invoice gives the price
 * and the expiry; keep the result, and paying within that expiry needs no second round trip.
 */
import { parsePaymentChallenge } from './challenge';
import type { ChallengeParseResult, L402Challenge, UnsupportedPaymentMethod } from './challenge';
import { l402AuthorizationHeader } from './credential';
import type { L402FetchRequest, L402FetchResult, L402Fetcher } from './fetcher';
import { decodeInvoice } from './invoice';
import type { InvoiceDecodeResult } from './invoice';

export interface ProbeRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

export type ProbeResult =
  /** A payable challenge. `decodedInvoice` still has to pass the gate before anything is paid. */
  | { kind: 'challenge'; challenge: L402Challenge; decodedInvoice: InvoiceDecodeResult }
  /** The resource answered without asking for payment. */
  | { kind: 'free'; status: number }
  | { kind: 'unsupported'; method: UnsupportedPaymentMethod }
  | { kind: 'not_payable'; status: number; reason: Extract<ChallengeParseResult, { kind: 'not_payable' }>['reason'] }
  | { kind: 'fetch_failed'; reason: string; detail: string };

export async function probe(url: string, request: ProbeRequest, fetcher: L402Fetcher): Promise<ProbeResult> {
  // Redirects are not followed: a 3xx is reported as not payable rather than chased.
  const result = await fetcher(url, { ...request, redirect: 'manual' });
  if (!result.ok) return { kind: 'fetch_failed', reason: result.reason, detail: result.detail };
  const { response } = result;
  if (response.status >= 200 && response.status < 300) return { kind: 'free', status: response.status };
  const parsed = parsePaymentChallenge({ status: response.status, headers: response.headers, body: response.text() });
  switch (parsed.kind) {
    case 'l402':
      return { kind: 'challenge', challenge: parsed.challenge, decodedInvoice: decodeInvoice(parsed.challenge.invoice) };
    case 'unsupported':
      return { kind: 'unsupported', method: parsed.method };
    case 'not_payable':
      return { kind: 'not_payable', status: response.status, reason: parsed.reason };
  }
}

/**
 * Repeats the request with the credential: the same method, headers and body, exactly one
 * `Authorization` value, and redirects followed only within the origin so the token never leaves it.
 */
export function fetchWithL402Credential(
  url: string,
  request: ProbeRequest,
  credential: { macaroon: string; preimageHex: string },
  fetcher: L402Fetcher,
): Promise<L402FetchResult> {
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'authorization'));
  const retry: L402FetchRequest = {
    ...request,
    headers: { ...headers, authorization: l402AuthorizationHeader(credential.macaroon, credential.preimageHex) },
    redirect: 'same_origin',
  };
  return fetcher(url, retry);
}
