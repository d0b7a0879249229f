/**
 * The L402 port: the HTTP side of a purchase, as the payments domain needs it. The L402 rail
 * (server/rails/l402/l402-http.ts) implements it over the guarded fetch; unit tests use a fake.
 *
 * Three kinds of call: sending a request (without or with a credential) and reading what came back;
 * pure checks of a challenge (the verification gate, run before any money moves); and price discovery
 * without paying (the provider's manifest and quote endpoint). Nothing here throws for an expected
 * failure: every outcome is a named value.
 */
import type { Msat } from '../../../shared/money';
import type { BitcoinNetwork } from './wallet';

export interface L402HttpRequest {
  /** Absolute http(s) URL. */
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A response as evidence: status, the body, and the SHA-256 of the body as received. */
export interface L402HttpAnswer {
  status: number;
  bodyText: string;
  bodySha256Hex: string;
  contentType: string | null;
  /** The URL that answered, after any same-origin redirects. */
  url: string;
}

export interface L402ChallengeOffer {
  scheme: 'L402' | 'LSAT';
  /** Base64 as sent; a bearer secret once paid: never log it. */
  macaroon: string;
  invoice: string;
}

/** Why a 402 cannot be paid by an L402 client, or another dialect the agent does not speak. */
export type NotPayableReason =
  | 'no_challenge'
  | 'malformed_l402_challenge'
  | 'unsupported_l402_version'
  | 'unsupported_x402'
  | 'unsupported_mpp'
  | 'unsupported_l402_offers';

export type L402Exchange =
  /** 402 with a payable challenge. */
  | { kind: 'challenge'; challenge: L402ChallengeOffer; answer: L402HttpAnswer }
  /** Anything but a 402 (content, an error status, a redirect that was not followed). */
  | { kind: 'answer'; answer: L402HttpAnswer }
  /** A 402 the agent cannot pay. */
  | { kind: 'not_payable'; reason: NotPayableReason; answer: L402HttpAnswer }
  /** No HTTP answer at all (refused URL, DNS, connection, timeout, too large). */
  | { kind: 'fetch_failed'; reason: string; detail: string };

/** The gate's refusals (server/rails/l402/gate.ts), named for the step's record. */
export type ChallengeRefusal =
  | 'malformed_macaroon'
  | 'unknown_macaroon_version'
  | 'unparseable_invoice'
  | 'invalid_invoice_signature'
  | 'unknown_network'
  | 'network_mismatch'
  | 'amountless_invoice'
  | 'amount_above_approved'
  | 'invoice_expired'
  | 'payment_hash_mismatch'
  | 'payee_mismatch';

export interface ChallengeCheck {
  challenge: L402ChallengeOffer;
  walletNetwork: BitcoinNetwork | null;
  nowMs: number;
  /** The most the step may pay, fees excluded. */
  maxAmountMsat: Msat;
  /** The invoice must stay payable for longer than this. */
  expiryMarginSec: number;
  expectedPayeePubkeyHex?: string | null;
}

/** What a macaroon says about itself (read, not verified: only its minter can verify it). */
export interface TokenFacts {
  paymentHashHex: string;
  /** `version | payment hash | token id` as hex: the macaroon id for receipts. */
  macaroonIdHex: string;
  /** From `services=` caveats; null when the token names none. */
  services: string[] | null;
  /** Earliest `<service>_valid_until` caveat, unix seconds; null when none. */
  validUntilSec: number | null;
  /** Every first-party caveat, `key=value`, e.g. for checking a quote's constraints. */
  caveats: { key: string; value: string }[];
}

export interface VerifiedChallenge {
  challenge: L402ChallengeOffer;
  amountMsat: Msat;
  paymentHashHex: string;
  invoiceExpiresAtSec: number;
  payeePubkeyHex: string;
  token: TokenFacts;
}

export type ChallengeVerdict = { ok: true; verified: VerifiedChallenge } | { ok: false; reason: ChallengeRefusal };

/** An advisory price from the provider's discovery manifest. */
export type ManifestPrice =
  | { kind: 'priced'; priceMsat: Msat }
  | { kind: 'dynamic'; hasQuoteEndpoint: boolean }
  | { kind: 'unavailable'; reason: 'no_manifest' | 'fetch_failed' | 'invalid_manifest' | 'http_error' | 'no_such_resource' | 'missing_usage' | 'unpriceable'; detail: string };

export interface ManifestPriceRequest {
  origin: string;
  service: string;
  method: string;
  /** The resource path, e.g. `/v1/joke`. */
  path: string;
  /** Usage by constraint name, for `formula` prices. */
  usage: Readonly<Record<string, number>>;
}

export interface QuoteRequest {
  origin: string;
  service: string;
  constraints: Record<string, number>;
  maxPriceMsat?: Msat;
}

export type QuoteAnswer =
  | { ok: true; priceMsat: Msat; quoteExpirySec: number; challenge: L402ChallengeOffer }
  | { ok: false; reason: 'no_manifest' | 'no_quote_endpoint' | 'fetch_failed' | 'quote_refused' | 'invalid_quote'; detail: string };

export interface L402HttpPort {
  /** Sends the request without credentials; redirects are not followed. */
  request(request: L402HttpRequest): Promise<L402Exchange>;
  /**
   * Repeats the request with exactly one `Authorization: L402 <macaroon>:<preimage>` header.
   * Redirects are followed within the origin only, so the credential never leaves it.
   */
  deliver(request: L402HttpRequest, credential: { macaroon: string; preimageHex: string }): Promise<L402Exchange>;
  /** The verification gate: pure, no clock of its own, no I/O. */
  verifyChallenge(check: ChallengeCheck): ChallengeVerdict;
  /** Reads a macaroon's id and caveats; null when it cannot be read. Pure. */
  readToken(macaroon: string): TokenFacts | null;
  manifestPrice(request: ManifestPriceRequest): Promise<ManifestPrice>;
  requestQuote(request: QuoteRequest): Promise<QuoteAnswer>;
}
