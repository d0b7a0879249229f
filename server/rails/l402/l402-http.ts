/**
 * The L402 port (server/domain/ports/l402.ts) over an HTTP fetcher, normally the guarded fetch. It
 * composes the rail's parts: challenge parsing, the verification gate, macaroon reading, the
 * credential retry and manifest/quote price discovery. Manifests are cached per origin for a while:
 * they are advisory, and fetching one per purchase would double every round trip.
 */
import { createHash } from 'node:crypto';
import type {
  ChallengeCheck,
  ChallengeVerdict,
  L402ChallengeOffer,
  L402Exchange,
  L402HttpAnswer,
  L402HttpPort,
  L402HttpRequest,
  ManifestPrice,
  ManifestPriceRequest,
  NotPayableReason,
  QuoteAnswer,
  QuoteRequest,
  TokenFacts,
} from '../../domain/ports/l402';
import { parsePaymentChallenge } from './challenge';
import type { L402FetchResponse, L402FetchResult, L402Fetcher } from './fetcher';
import { verifyChallenge } from './gate';
import { decodeInvoice } from './invoice';
import { decodeMacaroon, grantedServices, tokenValidUntilSec } from './macaroon';
import type { DecodedMacaroon } from './macaroon';
import { fetchManifest, localPrice, requestQuote } from './manifest';
import type { ManifestFetchResult } from './manifest';
import { fetchWithL402Credential } from './probe';

export interface L402HttpOptions {
  /** How long a fetched manifest is trusted before it is fetched again (default 5 minutes). */
  manifestTtlMs?: number;
  now?: () => number;
}

const DEFAULT_MANIFEST_TTL_MS = 5 * 60_000;

export function createL402Http(fetcher: L402Fetcher, options: L402HttpOptions = {}): L402HttpPort {
  const now = options.now ?? Date.now;
  const ttlMs = options.manifestTtlMs ?? DEFAULT_MANIFEST_TTL_MS;
  const manifests = new Map<string, { fetchedAtMs: number; result: Promise<ManifestFetchResult> }>();

  function manifestFor(origin: string): Promise<ManifestFetchResult> {
    const key = new URL(origin).origin;
    const cached = manifests.get(key);
    if (cached && now() - cached.fetchedAtMs < ttlMs) return cached.result;
    const result = fetchManifest(key, fetcher);
    manifests.set(key, { fetchedAtMs: now(), result });
    // A failed fetch is not remembered: the next call asks again.
    void result.then((r) => {
      if (!r.ok && manifests.get(key)?.result === result) manifests.delete(key);
    });
    return result;
  }

  return {
    async request(request: L402HttpRequest): Promise<L402Exchange> {
      const { url, ...init } = request;
      return toExchange(await fetcher(url, { ...init, redirect: 'manual' }));
    },

    async deliver(request, credential) {
      const { url, ...init } = request;
      return toExchange(await fetchWithL402Credential(url, init, credential, fetcher));
    },

    verifyChallenge(check: ChallengeCheck): ChallengeVerdict {
      const gate = verifyChallenge({
        challenge: check.challenge,
        decodedInvoice: decodeInvoice(check.challenge.invoice),
        walletNetwork: check.walletNetwork,
        now: new Date(check.nowMs),
        maxAmountMsat: check.maxAmountMsat,
        expiryMarginSec: check.expiryMarginSec,
        expectedPayeePubkeyHex: check.expectedPayeePubkeyHex ?? null,
      });
      if (!gate.ok) return gate;
      return {
        ok: true,
        verified: {
          challenge: check.challenge,
          amountMsat: gate.invoice.amountMsat,
          paymentHashHex: gate.invoice.paymentHashHex,
          invoiceExpiresAtSec: gate.invoice.expiresAtSec,
          payeePubkeyHex: gate.invoice.payeePubkeyHex,
          token: tokenFacts(gate.macaroon),
        },
      };
    },

    readToken(macaroon: string): TokenFacts | null {
      const decoded = decodeMacaroon(macaroon);
      return decoded.ok ? tokenFacts(decoded.macaroon) : null;
    },

    async manifestPrice(request: ManifestPriceRequest): Promise<ManifestPrice> {
      const fetched = await manifestFor(request.origin);
      if (!fetched.ok) return { kind: 'unavailable', reason: fetched.reason, detail: fetched.detail };
      const method = request.method.toUpperCase();
      const resource = fetched.manifest.services
        .filter((service) => service.name === request.service)
        .flatMap((service) => service.resources)
        .find((r) => r.path === request.path && r.method === method);
      if (!resource) {
        return { kind: 'unavailable', reason: 'no_such_resource', detail: `${method} ${request.path} of ${request.service}` };
      }
      const price = localPrice(resource, request.usage);
      switch (price.kind) {
        case 'priced':
          return { kind: 'priced', priceMsat: price.priceMsat };
        case 'dynamic':
          return { kind: 'dynamic', hasQuoteEndpoint: fetched.manifest.quote_endpoint !== undefined };
        case 'missing_usage':
          return { kind: 'unavailable', reason: 'missing_usage', detail: price.constraint };
        case 'unpriceable':
          return { kind: 'unavailable', reason: 'unpriceable', detail: 'the formula overflows' };
      }
    },

    async requestQuote(request: QuoteRequest): Promise<QuoteAnswer> {
      const fetched = await manifestFor(request.origin);
      if (!fetched.ok) return { ok: false, reason: 'no_manifest', detail: fetched.detail };
      const quote = await requestQuote(
        new URL(request.origin).origin,
        fetched.manifest,
        {
          service: request.service,
          constraints: request.constraints,
          ...(request.maxPriceMsat === undefined ? {} : { maxPriceMsat: request.maxPriceMsat }),
        },
        fetcher,
      );
      if (!quote.ok) return quote;
      const { scheme, macaroon, invoice } = quote.challenge;
      return { ok: true, priceMsat: quote.priceMsat, quoteExpirySec: quote.quoteExpirySec, challenge: { scheme, macaroon, invoice } };
    },
  };
}

function tokenFacts(macaroon: DecodedMacaroon): TokenFacts {
  const { paymentHashHex, tokenIdHex } = macaroon.identifier;
  return {
    paymentHashHex,
    macaroonIdHex: `0000${paymentHashHex}${tokenIdHex}`,
    services: grantedServices(macaroon),
    validUntilSec: tokenValidUntilSec(macaroon),
    caveats: macaroon.caveats.map(({ key, value }) => ({ key, value })),
  };
}

function toAnswer(response: L402FetchResponse): L402HttpAnswer {
  const bodyText = response.text();
  return {
    status: response.status,
    bodyText,
    bodySha256Hex: createHash('sha256').update(bodyText, 'utf8').digest('hex'),
    contentType: response.headers.get('content-type'),
    url: response.url,
  };
}

const UNSUPPORTED: Record<'x402' | 'mpp' | 'l402_offers', NotPayableReason> = {
  x402: 'unsupported_x402',
  mpp: 'unsupported_mpp',
  l402_offers: 'unsupported_l402_offers',
};

function toExchange(result: L402FetchResult): L402Exchange {
  if (!result.ok) return { kind: 'fetch_failed', reason: result.reason, detail: result.detail };
  const { response } = result;
  const answer = toAnswer(response);
  if (response.status !== 402) return { kind: 'answer', answer };
  const parsed = parsePaymentChallenge({ status: response.status, headers: response.headers, body: answer.bodyText });
  switch (parsed.kind) {
    case 'l402': {
      const { scheme, macaroon, invoice } = parsed.challenge;
      const challenge: L402ChallengeOffer = { scheme, macaroon, invoice };
      return { kind: 'challenge', challenge, answer };
    }
    case 'unsupported':
      return { kind: 'not_payable', reason: UNSUPPORTED[parsed.method], answer };
    case 'not_payable':
      // not_402 cannot happen here: the status was checked above.
      return { kind: 'not_payable', reason: parsed.reason === 'not_402' ? 'no_challenge' : parsed.reason, answer };
  }
}
