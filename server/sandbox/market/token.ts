/**
 * Aperture-style L402 tokens: a macaroon whose identifier commits to a payment hash, plus the
 * preimage that proves the invoice was paid. Verification is stateless, as in Aperture: the
 * signature proves we minted it, the caveats bound its scope, sha256(preimage) proves payment.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { importMacaroons, newMacaroon } from 'macaroon';
import type { Macaroon } from 'macaroon';

const ID_VERSION = 0;
const ID_LENGTH = 2 + 32 + 32;

export interface TokenIdentifier {
  version: number;
  paymentHashHex: string;
  tokenIdHex: string;
}

export function encodeIdentifier(paymentHashHex: string, tokenIdHex: string): Uint8Array {
  const id = Buffer.alloc(ID_LENGTH);
  id.writeUInt16BE(ID_VERSION, 0);
  Buffer.from(paymentHashHex, 'hex').copy(id, 2);
  Buffer.from(tokenIdHex, 'hex').copy(id, 34);
  return id;
}

export function decodeIdentifier(id: Uint8Array): TokenIdentifier | null {
  if (id.length !== ID_LENGTH) return null;
  const buf = Buffer.from(id);
  const version = buf.readUInt16BE(0);
  if (version !== ID_VERSION) return null;
  return {
    version,
    paymentHashHex: buf.subarray(2, 34).toString('hex'),
    tokenIdHex: buf.subarray(34).toString('hex'),
  };
}

/** Caveats a token carries: `services=<name>:<tier>`, `<name>_valid_until=<unix s>`, constraints. */
export interface TokenScope {
  service: string;
  tier: number;
  validUntilSec: number;
  /** Upper bounds keyed by the constraint name used verbatim as the caveat key (agent-spec). */
  constraints: Record<string, number>;
}

export interface MintTokenArgs {
  rootKey: Uint8Array;
  location: string;
  paymentHashHex: string;
  scope: TokenScope;
}

/** Returns the macaroon as standard base64 of its v2 binary encoding, as Aperture sends it. */
export function mintToken(args: MintTokenArgs): string {
  const tokenIdHex = randomBytes(32).toString('hex');
  const mac = newMacaroon({
    identifier: encodeIdentifier(args.paymentHashHex, tokenIdHex),
    location: args.location,
    rootKey: args.rootKey,
    version: 2,
  });
  const { service, tier, validUntilSec, constraints } = args.scope;
  mac.addFirstPartyCaveat(`services=${service}:${tier}`);
  mac.addFirstPartyCaveat(`${service}_valid_until=${validUntilSec}`);
  for (const [key, max] of Object.entries(constraints)) mac.addFirstPartyCaveat(`${key}=${max}`);
  return Buffer.from(encodeMacaroonV2(mac)).toString('base64');
}

const FIELD_EOS = Uint8Array.of(0);
const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;
const FIELD_SIGNATURE = 6;

function uvarint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

const field = (type: number, data: Uint8Array): Uint8Array[] => [Uint8Array.of(type), uvarint(data.length), data];

/**
 * The macaroon's v2 binary encoding, byte for byte what its exportBinary() writes for a macaroon with
 * first-party caveats (all the market mints). Not exportBinary() itself: macaroon 3.0.4's ByteBuffer
 * never records its capacity, so every append doubles its buffer; a 193-byte token allocated ~400 MB
 * and cost ~20 ms of CPU, on every challenge the market sends.
 */
export function encodeMacaroonV2(mac: Macaroon): Uint8Array {
  const parts = [Uint8Array.of(2), ...(mac.location ? field(FIELD_LOCATION, Buffer.from(mac.location, 'utf8')) : []), ...field(FIELD_IDENTIFIER, mac.identifier), FIELD_EOS];
  for (const caveat of mac.caveats) {
    if (caveat.location) throw new Error('only first-party caveats are encoded here');
    parts.push(...field(FIELD_IDENTIFIER, caveat.identifier), FIELD_EOS);
  }
  parts.push(FIELD_EOS, ...field(FIELD_SIGNATURE, mac.signature));
  return Buffer.concat(parts);
}

export interface Credential {
  macaroonBase64: string;
  preimageHex: string;
}

// Scheme is case-insensitive (RFC 7235); the preimage is exactly 64 lowercase hex chars (Aperture).
const SCHEME = /^\s*(?:L402|LSAT)\s+/i;
const TOKEN68 = /^([A-Za-z0-9+/=_\-,]+):([0-9a-f]{64})\s*$/;
const AUTH_PARAM = /(\w+)\s*=\s*"([^"]*)"/g;

/**
 * Parses `Authorization: L402|LSAT <base64 macaroon(s)>:<hex preimage>`. Clients that read the
 * spec-v0 challenge (`token="..."`) may echo it as auth-params, `L402 token="...", preimage="..."`
 * (or `macaroon=`); that form is accepted too. Returns null when absent or malformed.
 */
export function parseAuthorization(header: string | undefined): Credential | null {
  if (!header) return null;
  const scheme = SCHEME.exec(header);
  if (!scheme) return null;
  const rest = header.slice(scheme[0].length);
  const token68 = TOKEN68.exec(rest);
  if (token68?.[1] && token68[2]) return { macaroonBase64: token68[1], preimageHex: token68[2] };
  const params = new Map([...rest.matchAll(AUTH_PARAM)].map((m) => [m[1]?.toLowerCase(), m[2] ?? '']));
  const macaroonBase64 = params.get('token') ?? params.get('macaroon');
  const preimageHex = params.get('preimage');
  if (!macaroonBase64 || !preimageHex || !/^[0-9a-f]{64}$/.test(preimageHex)) return null;
  return { macaroonBase64, preimageHex };
}

export type TokenRejection =
  | 'malformed_macaroon'
  | 'unknown_identifier_version'
  | 'bad_signature'
  | 'wrong_service'
  | 'expired'
  | 'constraint_exceeded'
  | 'unknown_caveat'
  | 'preimage_mismatch';

export type TokenCheck =
  | { ok: true; identifier: TokenIdentifier }
  | { ok: false; reason: TokenRejection };

export interface VerifyTokenArgs {
  credential: Credential;
  rootKey: Uint8Array;
  service: string;
  nowSec: number;
  /** What this request needs, by constraint key; each must be bounded by a caveat of the token. */
  usage: Record<string, number>;
}

export function verifyToken(args: VerifyTokenArgs): TokenCheck {
  const mac = importFirstMacaroon(args.credential.macaroonBase64);
  if (!mac) return { ok: false, reason: 'malformed_macaroon' };
  const identifier = decodeIdentifier(mac.identifier);
  if (!identifier) return { ok: false, reason: 'unknown_identifier_version' };
  try {
    // Signature first, with every caveat provisionally accepted; caveats are judged below so that
    // each refusal has a name. Third-party caveats have no discharge here and fail this step.
    mac.verify(args.rootKey, () => null, []);
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
  const caveats = mac.caveats.map((c) => Buffer.from(c.identifier).toString('utf8'));
  const scopeCheck = checkCaveats(caveats, args);
  if (scopeCheck) return { ok: false, reason: scopeCheck };

  const hash = createHash('sha256').update(Buffer.from(args.credential.preimageHex, 'hex')).digest();
  if (!timingSafeEqual(hash, Buffer.from(identifier.paymentHashHex, 'hex'))) {
    return { ok: false, reason: 'preimage_mismatch' };
  }
  return { ok: true, identifier };
}

function importFirstMacaroon(base64: string): Macaroon | null {
  // Several comma-separated macaroons are allowed on the wire; the first is the one we minted.
  const first = base64.split(',')[0] ?? '';
  try {
    return importMacaroons(first)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Every caveat must hold (a repeated key can only narrow, per the agent spec), the service must be
 * named at least once, and every constraint the request uses must be bounded. Unknown caveats fail
 * closed: a token attenuated in a way we do not understand grants nothing.
 */
function checkCaveats(caveats: string[], args: VerifyTokenArgs): TokenRejection | null {
  let serviceNamed = false;
  const bounded = new Set<string>();
  for (const condition of caveats) {
    const eq = condition.indexOf('=');
    const key = eq > 0 ? condition.slice(0, eq) : condition;
    const value = eq > 0 ? condition.slice(eq + 1) : '';
    if (key === 'services') {
      const names = value.split(',').map((entry) => entry.split(':')[0]);
      if (!names.includes(args.service)) return 'wrong_service';
      serviceNamed = true;
    } else if (key === `${args.service}_valid_until`) {
      const untilSec = Number(value);
      if (!Number.isInteger(untilSec) || untilSec <= args.nowSec) return 'expired';
    } else if (Object.hasOwn(args.usage, key)) {
      const max = Number(value);
      if (!Number.isFinite(max) || (args.usage[key] ?? 0) > max) return 'constraint_exceeded';
      bounded.add(key);
    } else {
      return 'unknown_caveat';
    }
  }
  if (!serviceNamed) return 'wrong_service';
  if (Object.keys(args.usage).some((key) => !bounded.has(key))) return 'constraint_exceeded';
  return null;
}
