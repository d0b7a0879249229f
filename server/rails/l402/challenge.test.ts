import { describe, expect, it } from 'vitest';
import { parsePaymentChallenge } from './challenge';
import type { ChallengeResponse } from './challenge';
import { mintedMacaroon, newPreimage, signedInvoice, toBase64Url } from './test-fixtures';
import { parseWwwAuthenticate } from './www-authenticate';

const { paymentHashHex } = newPreimage();
const MAC = mintedMacaroon({ paymentHashHex, caveats: ['services=joke:0'] });
const INV = signedInvoice({ paymentHashHex }).paymentRequest;

function response(status: number, headers: [string, string][], body?: string): ChallengeResponse {
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  return { status, headers: h, body: body ?? null };
}
const challengeOf = (...values: string[]) =>
  parsePaymentChallenge(response(402, values.map((v) => ['WWW-Authenticate', v] as [string, string])));

describe('parseWwwAuthenticate', () => {
  it('reads several challenges, quoted and token values, escapes and commas inside quotes', () => {
    const parsed = parseWwwAuthenticate('Basic realm="a, \\"b\\"", Bearer error=invalid_token, scope="x y", Negotiate abc123==');
    expect(parsed.map((c) => c.scheme)).toEqual(['Basic', 'Bearer', 'Negotiate']);
    expect(parsed[0]?.params.get('realm')).toBe('a, "b"');
    expect(parsed[1]?.params.get('error')).toBe('invalid_token');
    expect(parsed[1]?.params.get('scope')).toBe('x y');
    expect(parsed[2]?.token68).toBe('abc123==');
  });

  it('skips a malformed challenge and keeps the ones after it', () => {
    const parsed = parseWwwAuthenticate('@@@ junk, L402 macaroon="m", invoice="lnbcrt1"');
    expect(parsed).toHaveLength(1);
    expect(parsed[0]?.params.get('invoice')).toBe('lnbcrt1');
  });

  it('refuses an unterminated quoted value', () => {
    const parsed = parseWwwAuthenticate('L402 macaroon="abc, invoice="lnbc1');
    expect(parsed[0]?.params.get('macaroon')).toBe('abc, invoice=');
    expect(parsed[0]?.params.has('invoice')).toBe(false);
  });
});

describe('parsePaymentChallenge', () => {
  it("reads Aperture's two challenges (LSAT then L402) and prefers L402", () => {
    const result = challengeOf(`LSAT macaroon="${MAC}", invoice="${INV}"`, `L402 macaroon="${MAC}", invoice="${INV}"`);
    expect(result).toMatchObject({ kind: 'l402', challenge: { scheme: 'L402', dialect: 'macaroon', macaroon: MAC, invoice: INV } });
    expect(result.kind === 'l402' && result.all.map((c) => c.scheme)).toEqual(['LSAT', 'L402']);
  });

  it('reads both challenges folded into one header line, and an obs-folded continuation', () => {
    const folded = challengeOf(`LSAT macaroon="${MAC}", invoice="${INV}", L402 macaroon="${MAC}", invoice="${INV}"`);
    expect(folded.kind === 'l402' && folded.all).toHaveLength(2);
    // fetch's Headers refuses CR/LF, but a raw HTTP parser may hand the folded value through as is.
    const raw = `L402 macaroon="${MAC}",\r\n\tinvoice="${INV}"`;
    const continued = parsePaymentChallenge({ status: 402, headers: { get: (n) => (n === 'www-authenticate' ? raw : null) } });
    expect(continued).toMatchObject({ kind: 'l402', challenge: { invoice: INV } });
  });

  it('accepts the legacy LSAT scheme alone, in any case', () => {
    expect(challengeOf(`lsat macaroon="${MAC}", invoice="${INV}"`)).toMatchObject({ kind: 'l402', challenge: { scheme: 'LSAT' } });
    expect(challengeOf(`l402 MACAROON="${MAC}", Invoice="${INV}"`)).toMatchObject({ kind: 'l402', challenge: { scheme: 'L402' } });
  });

  it('reads spec v0: version="0", token=, params in any order, unknown params ignored', () => {
    const result = challengeOf(`L402 invoice="${INV}", realm="x", version="0", token="${MAC}"`);
    expect(result).toMatchObject({ kind: 'l402', challenge: { dialect: 'token', macaroon: MAC, invoice: INV } });
  });

  it('reads unquoted token values and base64url macaroons', () => {
    const url = toBase64Url(MAC);
    expect(challengeOf(`L402 macaroon=${url}, invoice=${INV}`)).toMatchObject({ kind: 'l402', challenge: { macaroon: url } });
  });

  it('refuses an unknown spec version and a challenge without macaroon or invoice', () => {
    expect(challengeOf(`L402 version="1", token="${MAC}", invoice="${INV}"`)).toMatchObject({
      kind: 'not_payable',
      reason: 'unsupported_l402_version',
    });
    expect(challengeOf(`L402 invoice="${INV}"`)).toMatchObject({ kind: 'not_payable', reason: 'malformed_l402_challenge' });
    expect(challengeOf(`L402 macaroon="${MAC}", invoice="not an invoice"`)).toMatchObject({
      kind: 'not_payable',
      reason: 'malformed_l402_challenge',
    });
  });

  it('takes a valid challenge even when a malformed one comes first', () => {
    expect(challengeOf(`L402 macaroon="", invoice="x", L402 macaroon="${MAC}", invoice="${INV}"`)).toMatchObject({
      kind: 'l402',
      challenge: { macaroon: MAC },
    });
  });

  it('names x402 (header and v1 body), MPP and JSON offers as unsupported', () => {
    const x402Header = response(402, [['PAYMENT-REQUIRED', Buffer.from('{"x402Version":2}').toString('base64')]]);
    expect(parsePaymentChallenge(x402Header)).toEqual({ kind: 'unsupported', method: 'x402' });
    const x402Body = response(402, [], JSON.stringify({ x402Version: 1, accepts: [{ scheme: 'exact' }] }));
    expect(parsePaymentChallenge(x402Body)).toEqual({ kind: 'unsupported', method: 'x402' });
    const mpp = response(402, [['WWW-Authenticate', 'Payment id="1", realm="r", method="lightning", intent="charge"']]);
    expect(parsePaymentChallenge(mpp)).toEqual({ kind: 'unsupported', method: 'mpp' });
    const offers = response(402, [], JSON.stringify({ offers: [{ id: 'a', amount: 1 }], payment_request_url: 'https://x' }));
    expect(parsePaymentChallenge(offers)).toEqual({ kind: 'unsupported', method: 'l402_offers' });
  });

  it('a bare 402, or one with only other schemes, is not payable', () => {
    expect(parsePaymentChallenge(response(402, [], '{"error":"quota exceeded"}'))).toEqual({
      kind: 'not_payable',
      reason: 'no_challenge',
      schemes: [],
    });
    expect(parsePaymentChallenge(response(402, [['WWW-Authenticate', 'Bearer realm="api"']]))).toEqual({
      kind: 'not_payable',
      reason: 'no_challenge',
      schemes: ['Bearer'],
    });
  });

  it('a challenge on a status other than 402 is not a payment request', () => {
    const ok = response(200, [['WWW-Authenticate', `L402 macaroon="${MAC}", invoice="${INV}"`]]);
    expect(parsePaymentChallenge(ok)).toMatchObject({ kind: 'not_payable', reason: 'not_402', schemes: ['L402'] });
  });
});
