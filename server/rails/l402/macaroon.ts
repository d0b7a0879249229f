/**
 * Reads an L402 macaroon without verifying it (only its minter holds the root key): the identifier
 * that commits to a payment hash, and the first-party caveats that say what the token is good for.
 * Accepts standard and URL-safe base64, padded or not, as the `macaroon` library does.
 */
import { importMacaroons } from 'macaroon';

/** `uint16 version | 32-byte payment hash | 32-byte token id`, big-endian (L402 agent spec). */
export interface MacaroonIdentifier {
  version: 0;
  paymentHashHex: string;
  tokenIdHex: string;
}

export interface Caveat {
  /** The whole condition, e.g. `services=joke:0`. */
  condition: string;
  /** Text before the first `=`, or the whole condition when it has none. */
  key: string;
  value: string;
}

export interface DecodedMacaroon {
  location: string;
  identifier: MacaroonIdentifier;
  caveats: Caveat[];
  /** Third-party caveats need discharges from elsewhere; L402 providers do not mint them. */
  thirdPartyCaveatCount: number;
}

export type MacaroonDecodeResult =
  | { ok: true; macaroon: DecodedMacaroon }
  | { ok: false; reason: 'malformed_macaroon' | 'unknown_macaroon_version' };

const IDENTIFIER_LENGTH = 2 + 32 + 32;
/** Beyond any honest macaroon; keeps a hostile header from costing real work. */
const MAX_ENCODED_LENGTH = 16 * 1024;

/**
 * Decodes the first macaroon of `encoded` (several may be comma-separated; the first is the one the
 * provider minted for the challenge).
 */
export function decodeMacaroon(encoded: string): MacaroonDecodeResult {
  const first = encoded.split(',')[0]?.trim() ?? '';
  if (first === '' || first.length > MAX_ENCODED_LENGTH || !/^[A-Za-z0-9+/_-]+=*$/.test(first)) {
    return { ok: false, reason: 'malformed_macaroon' };
  }
  let imported;
  try {
    imported = importMacaroons(first)[0];
  } catch {
    return { ok: false, reason: 'malformed_macaroon' };
  }
  if (!imported) return { ok: false, reason: 'malformed_macaroon' };

  const id = imported.identifier;
  if (id.length < 2) return { ok: false, reason: 'malformed_macaroon' };
  const version = (id[0] ?? 0) * 256 + (id[1] ?? 0);
  // A longer or shorter identifier is some other layout: as unknown as a different version number.
  if (version !== 0 || id.length !== IDENTIFIER_LENGTH) return { ok: false, reason: 'unknown_macaroon_version' };
  const bytes = Buffer.from(id);

  const caveats: Caveat[] = [];
  let thirdPartyCaveatCount = 0;
  for (const caveat of imported.caveats) {
    if (caveat.location) {
      thirdPartyCaveatCount++;
      continue;
    }
    const condition = Buffer.from(caveat.identifier).toString('utf8');
    const eq = condition.indexOf('=');
    caveats.push({
      condition,
      key: eq >= 0 ? condition.slice(0, eq).trim() : condition,
      value: eq >= 0 ? condition.slice(eq + 1).trim() : '',
    });
  }
  return {
    ok: true,
    macaroon: {
      location: imported.location,
      identifier: {
        version: 0,
        paymentHashHex: bytes.subarray(2, 34).toString('hex'),
        tokenIdHex: bytes.subarray(34).toString('hex'),
      },
      caveats,
      thirdPartyCaveatCount,
    },
  };
}

/**
 * The earliest `<service>_valid_until` caveat (unix seconds), or null when the token states none.
 * A prediction only: a provider may still reject the token earlier.
 */
export function tokenValidUntilSec(macaroon: DecodedMacaroon): number | null {
  let earliest: number | null = null;
  for (const { key, value } of macaroon.caveats) {
    if (!key.endsWith('_valid_until') || !/^\d+$/.test(value)) continue;
    const untilSec = Number(value);
    if (Number.isSafeInteger(untilSec) && (earliest === null || untilSec < earliest)) earliest = untilSec;
  }
  return earliest;
}

/** Service names granted by the `services=name:tier,...` caveats; each repeat can only narrow. */
export function grantedServices(macaroon: DecodedMacaroon): string[] | null {
  let granted: string[] | null = null;
  for (const { key, value } of macaroon.caveats) {
    if (key !== 'services') continue;
    const names = value.split(',').map((entry) => entry.split(':')[0]?.trim() ?? '').filter((n) => n !== '');
    granted = granted === null ? names : granted.filter((name) => names.includes(name));
  }
  return granted;
}
