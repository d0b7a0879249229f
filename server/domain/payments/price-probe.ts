/**
 * Learns what a request will cost without paying for it, cheapest source first:
 *   1. the provider's discovery manifest: `fixed` and `formula` prices computed locally (advisory:
 *      no invoice yet, so the gate will still check the real amount at purchase time);
 *   2. its quote endpoint, for `dynamic` prices: a firm L402 challenge whose macaroon must commit to
 *      the invoice's payment hash and carry caveats matching what was asked;
 *   3. otherwise (or when a firm price is wanted) the request itself, answered with a 402 challenge.
 * A firm challenge is kept (kept-challenges.ts) so paying it within its expiry skips a round trip.
 */
import { msat, type Msat } from '../../../shared/money';
import type { ChallengeRefusal, L402ChallengeOffer, L402HttpPort, L402HttpRequest, NotPayableReason, VerifiedChallenge } from '../ports/l402';
import type { BitcoinNetwork } from '../ports/wallet';
import type { KeptChallenges } from './kept-challenges';

export interface PriceProbeRequest {
  userId: string;
  /** The provider's service name (as in its `services=` caveats and manifest). */
  service: string;
  request: L402HttpRequest;
  /** Usage by constraint name, for `formula` and `dynamic` prices. */
  usage?: Record<string, number>;
  /** Skip the advisory manifest price and get an invoice. */
  firm?: boolean;
  /**
   * Answer from the manifest's price or not at all (warming the quote cache ahead of any request):
   * never calls the paid endpoint, which would need a real input and a person's wallet.
   */
  manifestOnly?: boolean;
}

export type PriceProbeResult =
  | { ok: true; source: 'manifest'; priceMsat: Msat; advisory: true; expiresAtMs: null }
  | {
      ok: true;
      source: 'quote' | 'challenge';
      /** The invoice's amount: what counts. */
      priceMsat: Msat;
      /** What the quote said, when it came from a quote (it may differ from the invoice). */
      quotedMsat: Msat | null;
      advisory: false;
      /** Until when the kept challenge may be paid. */
      expiresAtMs: number;
      paymentHashHex: string;
    }
  /** The request was answered without asking for payment. */
  | { ok: true; source: 'free'; priceMsat: Msat; advisory: false; expiresAtMs: null }
  | {
      ok: false;
      reason:
        | ChallengeRefusal
        | NotPayableReason
        | 'fetch_failed'
        | 'unexpected_status'
        | 'wallet_unavailable'
        | 'quote_refused'
        /** The quote's token does not grant the asked service or constraints. */
        | 'quote_mismatch'
        /** `manifestOnly` was asked and the manifest gives no price without usage or an invoice. */
        | 'no_manifest_price';
      detail?: string;
    };

export interface PriceProbeDeps {
  http: L402HttpPort;
  kept: KeptChallenges;
  walletNetwork: (userId: string) => Promise<BitcoinNetwork | null>;
  now: () => number;
  expiryMarginSec: number;
}

const UNBOUNDED = msat(Number.MAX_SAFE_INTEGER);

export function createPriceProbe(deps: PriceProbeDeps) {
  async function verify(userId: string, challenge: L402ChallengeOffer) {
    const network = await deps.walletNetwork(userId);
    if (network === null) return { ok: false as const, reason: 'wallet_unavailable' as const };
    // No approved maximum yet: learning the price is the point. The rest of the gate applies.
    return deps.http.verifyChallenge({ challenge, walletNetwork: network, nowMs: deps.now(), maxAmountMsat: UNBOUNDED, expiryMarginSec: deps.expiryMarginSec });
  }

  function keep(input: PriceProbeRequest, verified: VerifiedChallenge, untilMs: number) {
    deps.kept.keep(input.userId, input.request, verified.challenge, untilMs);
  }

  async function fromChallenge(input: PriceProbeRequest): Promise<PriceProbeResult> {
    const exchange = await deps.http.request(input.request);
    switch (exchange.kind) {
      case 'fetch_failed':
        return { ok: false, reason: 'fetch_failed', detail: exchange.reason };
      case 'not_payable':
        return { ok: false, reason: exchange.reason };
      case 'answer':
        return exchange.answer.status >= 200 && exchange.answer.status < 300
          ? { ok: true, source: 'free', priceMsat: msat(0), advisory: false, expiresAtMs: null }
          : { ok: false, reason: 'unexpected_status', detail: `status ${exchange.answer.status}` };
      case 'challenge': {
        const verdict = await verify(input.userId, exchange.challenge);
        if (!verdict.ok) return { ok: false, reason: verdict.reason };
        const expiresAtMs = verdict.verified.invoiceExpiresAtSec * 1000;
        keep(input, verdict.verified, expiresAtMs);
        return firm('challenge', verdict.verified, null, expiresAtMs);
      }
    }
  }

  async function fromQuote(input: PriceProbeRequest, origin: string): Promise<PriceProbeResult> {
    const usage = input.usage ?? {};
    const quote = await deps.http.requestQuote({ origin, service: input.service, constraints: usage });
    if (!quote.ok) return { ok: false, reason: 'quote_refused', detail: `${quote.reason}: ${quote.detail}` };
    const verdict = await verify(input.userId, quote.challenge);
    if (!verdict.ok) return { ok: false, reason: verdict.reason };
    const mismatch = quoteMismatch(verdict.verified, input.service, usage);
    if (mismatch) return { ok: false, reason: 'quote_mismatch', detail: mismatch };
    const expiresAtMs = Math.min(quote.quoteExpirySec * 1000, verdict.verified.invoiceExpiresAtSec * 1000);
    keep(input, verdict.verified, expiresAtMs);
    return firm('quote', verdict.verified, quote.priceMsat, expiresAtMs);
  }

  async function probePrice(input: PriceProbeRequest): Promise<PriceProbeResult> {
    const url = new URL(input.request.url);
    if (!input.firm) {
      const price = await deps.http.manifestPrice({
        origin: url.origin,
        service: input.service,
        method: input.request.method,
        path: url.pathname,
        usage: input.usage ?? {},
      });
      if (price.kind === 'priced') return { ok: true, source: 'manifest', priceMsat: price.priceMsat, advisory: true, expiresAtMs: null };
      if (input.manifestOnly) return { ok: false, reason: 'no_manifest_price', detail: price.kind };
      if (price.kind === 'dynamic' && price.hasQuoteEndpoint) return fromQuote(input, url.origin);
    }
    return fromChallenge(input);
  }

  return { probePrice };
}

function firm(source: 'quote' | 'challenge', verified: VerifiedChallenge, quotedMsat: Msat | null, expiresAtMs: number): PriceProbeResult {
  return { ok: true, source, priceMsat: verified.amountMsat, quotedMsat, advisory: false, expiresAtMs, paymentHashHex: verified.paymentHashHex };
}

/**
 * A quote's token must be for the asked service and allow at least the asked usage: each asked
 * constraint needs a caveat of that name whose bound covers it. The gate has already checked that the
 * macaroon commits to the invoice's payment hash. Returns what does not match, or null.
 */
export function quoteMismatch(verified: VerifiedChallenge, service: string, usage: Readonly<Record<string, number>>): string | null {
  const { services, caveats } = verified.token;
  if (services !== null && !services.includes(service)) return `token grants ${services.join(',')}, not ${service}`;
  for (const [constraint, asked] of Object.entries(usage)) {
    const bounds = caveats.filter((c) => c.key === constraint).map((c) => Number(c.value));
    if (bounds.length === 0) return `no ${constraint} caveat`;
    // Caveats only narrow: the smallest bound is the one that applies.
    if (Math.min(...bounds) < asked) return `${constraint} allows ${Math.min(...bounds)}, asked ${asked}`;
  }
  return null;
}
