/**
 * Reads a server's answer and says whether it is a payable L402 challenge. Every form seen in the
 * wild is accepted: several challenges in one or several `WWW-Authenticate` headers, `L402` and the
 * legacy `LSAT` scheme in any case, Aperture's `macaroon=` and spec v0's `version="0", token=`,
 * params in any order, unknown params ignored. Other 402 dialects (x402, MPP's `Payment` scheme,
 * JSON offers) are named as unsupported. Nothing here throws on hostile input.
 */
import { z } from 'zod';
import { parseWwwAuthenticate } from './www-authenticate';
import type { AuthChallenge } from './www-authenticate';

export interface L402Challenge {
  scheme: 'L402' | 'LSAT';
  /** `macaroon`: Aperture's form; `token`: spec v0 (`version="0", token="..."`). */
  dialect: 'macaroon' | 'token';
  /** Base64 (standard or URL-safe) as sent; echo it back unchanged in the Authorization header. */
  macaroon: string;
  invoice: string;
}

export type UnsupportedPaymentMethod =
  /** Coinbase x402: `PAYMENT-REQUIRED` header (v2) or a body with `x402Version` and `accepts` (v1). */
  | 'x402'
  /** The "Payment" HTTP authentication scheme (MPP), sent by Aperture under l402+mpp. */
  | 'mpp'
  /** Fewsats "L402 v0.2": a JSON body with `offers[]` and `payment_request_url`. */
  | 'l402_offers';

export type ChallengeParseResult =
  /** `challenge` is the one to pay (L402 preferred over LSAT); `all` lists every valid one. */
  | { kind: 'l402'; challenge: L402Challenge; all: L402Challenge[] }
  | { kind: 'unsupported'; method: UnsupportedPaymentMethod }
  | {
      kind: 'not_payable';
      reason:
        | 'not_402'
        /** A bare 402 (or only other auth schemes): many APIs use it for "quota exceeded". */
        | 'no_challenge'
        /** An L402/LSAT challenge is there but lacks a usable macaroon or invoice. */
        | 'malformed_l402_challenge'
        /** Spec v0 names its version; any other version is a format we cannot read. */
        | 'unsupported_l402_version';
      /** Every scheme offered, for the step's record. */
      schemes: string[];
    };

/** What a fetch-like response gives us; the body is optional and only read for dialect detection. */
export interface ChallengeResponse {
  status: number;
  headers: { get(name: string): string | null };
  body?: string | null;
}

const MACAROON = /^[A-Za-z0-9+/_-]+=*(,[A-Za-z0-9+/_-]+=*)*$/;
const INVOICE = /^ln[a-z0-9]+$/i;
/** Bodies beyond this are not inspected for offers; a challenge never needs that much. */
const MAX_BODY_CHARS = 64 * 1024;

export function parsePaymentChallenge(response: ChallengeResponse): ChallengeParseResult {
  const header = response.headers.get('www-authenticate') ?? '';
  const offered = parseWwwAuthenticate(header);
  const schemes = offered.map((c) => c.scheme);
  if (response.status !== 402) return { kind: 'not_payable', reason: 'not_402', schemes };

  const l402 = offered.filter((c) => /^(l402|lsat)$/i.test(c.scheme));
  const readings = l402.map(readL402);
  const valid = readings.filter((r): r is L402Challenge => typeof r === 'object');
  if (valid.length > 0) {
    const preferred = valid.find((c) => c.scheme === 'L402') ?? valid[0];
    if (preferred) return { kind: 'l402', challenge: preferred, all: valid };
  }
  if (readings.includes('unsupported_l402_version')) {
    return { kind: 'not_payable', reason: 'unsupported_l402_version', schemes };
  }
  if (readings.length > 0) return { kind: 'not_payable', reason: 'malformed_l402_challenge', schemes };

  const other = detectOtherDialect(response, offered);
  if (other) return { kind: 'unsupported', method: other };
  return { kind: 'not_payable', reason: 'no_challenge', schemes };
}

function readL402(challenge: AuthChallenge): L402Challenge | 'malformed' | 'unsupported_l402_version' {
  const { params } = challenge;
  const version = params.get('version');
  if (version !== undefined && version !== '0') return 'unsupported_l402_version';
  const macaroonParam = params.get('macaroon');
  const tokenParam = params.get('token');
  const macaroon = (macaroonParam ?? tokenParam)?.trim();
  const invoice = params.get('invoice')?.trim();
  if (!macaroon || !invoice || !MACAROON.test(macaroon) || !INVOICE.test(invoice)) return 'malformed';
  return {
    scheme: challenge.scheme.toUpperCase() === 'LSAT' ? 'LSAT' : 'L402',
    dialect: macaroonParam !== undefined ? 'macaroon' : 'token',
    macaroon,
    invoice,
  };
}

const x402Body = z.object({ x402Version: z.number(), accepts: z.array(z.unknown()) });
const offersBody = z.object({ offers: z.array(z.unknown()).min(1), payment_request_url: z.string() });

function detectOtherDialect(response: ChallengeResponse, offered: AuthChallenge[]): UnsupportedPaymentMethod | null {
  if (response.headers.get('payment-required')) return 'x402';
  if (offered.some((c) => c.scheme.toLowerCase() === 'payment')) return 'mpp';
  const body = response.body;
  if (!body || body.length > MAX_BODY_CHARS) return null;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (x402Body.safeParse(json).success) return 'x402';
  if (offersBody.safeParse(json).success) return 'l402_offers';
  return null;
}
