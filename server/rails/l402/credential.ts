/**
 * The L402 credential: exactly one `Authorization` value, `L402 <macaroon>:<preimage>`. Aperture
 * accepts only 64 lowercase hex characters for the preimage and lets the last of several values win,
 * so one well-formed value is the only safe thing to send.
 */

const MACAROON = /^[A-Za-z0-9+/_-]+=*(,[A-Za-z0-9+/_-]+=*)*$/;
const PREIMAGE = /^[0-9a-f]{64}$/i;

/**
 * Builds the header value. The macaroon is echoed exactly as the challenge sent it. A malformed
 * argument is a bug in the caller (both were verified before paying), so it throws.
 */
export function l402AuthorizationHeader(macaroon: string, preimageHex: string): string {
  if (!MACAROON.test(macaroon)) throw new Error('l402AuthorizationHeader: macaroon is not base64');
  if (!PREIMAGE.test(preimageHex)) throw new Error('l402AuthorizationHeader: preimage is not 32 bytes of hex');
  return `L402 ${macaroon}:${preimageHex.toLowerCase()}`;
}
