/**
 * Full BOLT11 decoding with the signature checked, through `bolt11` (1.4.1). `light-bolt11-decoder`
 * was not used: it reads the fields but never looks at the signature.
 *
 * What "checked" means for BOLT11: the signature commits to every field, and the payee is the key
 * recovered from it. `bolt11.decode` recovers that key (refusing a malformed signature) and refuses an
 * invoice whose `n` field names a different key; we also refuse high-S signatures, as BOLT11 requires.
 * An invoice altered after signing (with its bech32 checksum recomputed) therefore either fails here or
 * decodes to a different, random payee, which is why `payeePubkeyHex` is returned: compare it with the
 * provider's published node key when there is one (the gate's `expectedPayeePubkeyHex`).
 */
import bolt11 from 'bolt11';
import type { BitcoinNetwork } from '../../domain/ports/wallet';
import { parseMsat } from '../../../shared/money';
import type { Msat } from '../../../shared/money';

export interface DecodedInvoice {
  paymentRequest: string;
  network: BitcoinNetwork;
  /** null for an amountless invoice: the payer would choose the amount, so the gate refuses it. */
  amountMsat: Msat | null;
  paymentHashHex: string;
  /** Compressed secp256k1 key recovered from the signature (or the matching `n` field). */
  payeePubkeyHex: string;
  timestampSec: number;
  expiresAtSec: number;
  description: string | null;
  descriptionHashHex: string | null;
}

export type InvoiceDecodeFailure = 'unparseable_invoice' | 'invalid_invoice_signature' | 'unknown_network';
export type InvoiceDecodeResult = { ok: true; invoice: DecodedInvoice } | { ok: false; reason: InvoiceDecodeFailure };

/** bech32 HRP currency prefixes (BOLT11), longest first so `bcrt` is not read as `bc`. */
const PREFIXES: ReadonlyArray<readonly [string, BitcoinNetwork]> = [
  ['bcrt', 'regtest'],
  ['bc', 'mainnet'],
  ['tbs', 'signet'],
  ['tb', 'testnet'],
  ['sb', 'simnet'],
];
// bolt11 needs chain parameters for the fallback-address field; the values are those of each chain.
const CHAIN_PARAMS: Record<BitcoinNetwork, { pubKeyHash: number; scriptHash: number }> = {
  mainnet: { pubKeyHash: 0x00, scriptHash: 0x05 },
  testnet: { pubKeyHash: 0x6f, scriptHash: 0xc4 },
  signet: { pubKeyHash: 0x6f, scriptHash: 0xc4 },
  regtest: { pubKeyHash: 0x6f, scriptHash: 0xc4 },
  simnet: { pubKeyHash: 0x3f, scriptHash: 0x7b },
};
/** BOLT11 default when the invoice has no expiry field. */
const DEFAULT_EXPIRY_SEC = 3600;
/** Half the secp256k1 group order: a canonical (low-S) signature has s <= this. */
const SECP256K1_HALF_ORDER = BigInt('0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');
/** BOLT11 caps nothing, but bech32 strings of this length are already far beyond real invoices. */
const MAX_INVOICE_LENGTH = 7089;

const HRP = /^ln(bcrt|bc|tbs|tb|sb)(\d+[munp]?)?$/;

export function decodeInvoice(paymentRequest: string): InvoiceDecodeResult {
  const normalized = paymentRequest.trim().toLowerCase();
  if (normalized.length > MAX_INVOICE_LENGTH || !/^ln[a-z0-9]+$/.test(normalized)) {
    return { ok: false, reason: 'unparseable_invoice' };
  }
  const hrp = normalized.slice(0, normalized.lastIndexOf('1'));
  const hrpMatch = HRP.exec(hrp);
  if (!hrpMatch) return { ok: false, reason: hrp.startsWith('ln') && hrp.length > 2 ? 'unknown_network' : 'unparseable_invoice' };
  const prefix = PREFIXES.find(([bech32]) => bech32 === hrpMatch[1]);
  if (!prefix) return { ok: false, reason: 'unknown_network' };
  const [bech32Prefix, network] = prefix;

  let decoded: ReturnType<typeof bolt11.decode>;
  try {
    decoded = bolt11.decode(normalized, { bech32: bech32Prefix, ...CHAIN_PARAMS[network], validWitnessVersions: [0, 1] });
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    return { ok: false, reason: /signature|pubkey/i.test(message) ? 'invalid_invoice_signature' : 'unparseable_invoice' };
  }
  if (!decoded.signature || !decoded.payeeNodeKey || !isLowS(decoded.signature)) {
    return { ok: false, reason: 'invalid_invoice_signature' };
  }

  const tags = decoded.tagsObject;
  const paymentHashHex = tags.payment_hash;
  const timestampSec = decoded.timestamp;
  if (!paymentHashHex || !/^[0-9a-f]{64}$/.test(paymentHashHex) || timestampSec === undefined) {
    return { ok: false, reason: 'unparseable_invoice' };
  }
  let amountMsat: Msat | null = null;
  if (decoded.millisatoshis !== null && decoded.millisatoshis !== undefined) {
    const parsed = parseMsat(decoded.millisatoshis);
    if (!parsed.ok) return { ok: false, reason: 'unparseable_invoice' };
    amountMsat = parsed.value;
  }
  const expirySec = typeof tags.expire_time === 'number' ? tags.expire_time : DEFAULT_EXPIRY_SEC;
  return {
    ok: true,
    invoice: {
      paymentRequest: normalized,
      network,
      amountMsat,
      paymentHashHex,
      payeePubkeyHex: decoded.payeeNodeKey,
      timestampSec,
      expiresAtSec: timestampSec + expirySec,
      description: typeof tags.description === 'string' ? tags.description : null,
      descriptionHashHex: typeof tags.purpose_commit_hash === 'string' ? tags.purpose_commit_hash : null,
    },
  };
}

function isLowS(signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false;
  return BigInt(`0x${signatureHex.slice(64)}`) <= SECP256K1_HALF_ORDER;
}
