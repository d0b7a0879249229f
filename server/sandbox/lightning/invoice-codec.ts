import { createECDH } from 'node:crypto';
import bolt11 from 'bolt11';

export type InvoiceNetwork = 'regtest' | 'mainnet';

// bolt11 wants the chain parameters as an object; regtest invoices use the `lnbcrt` prefix.
const NETWORKS = {
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
} as const;

export interface InvoiceFields {
  network: InvoiceNetwork;
  amountMsat: number | null;
  paymentHashHex: string;
  paymentSecretHex: string;
  description: string;
  expirySeconds: number;
  timestampSec: number;
}

/** Encodes and signs a BOLT11 invoice with the node's secp256k1 key. */
export function signInvoice(fields: InvoiceFields, nodeSecretKeyHex: string): string {
  const unsigned = bolt11.encode({
    network: { ...NETWORKS[fields.network], validWitnessVersions: [0, 1] },
    timestamp: fields.timestampSec,
    ...(fields.amountMsat === null ? {} : { millisatoshis: String(fields.amountMsat) }),
    tags: [
      { tagName: 'payment_hash', data: fields.paymentHashHex },
      { tagName: 'payment_secret', data: fields.paymentSecretHex },
      { tagName: 'description', data: fields.description },
      { tagName: 'expire_time', data: fields.expirySeconds },
    ],
  });
  const signed = bolt11.sign(unsigned, nodeSecretKeyHex);
  if (!signed.paymentRequest) throw new Error('bolt11.sign returned no payment request');
  return signed.paymentRequest;
}

export interface DecodedInvoice {
  paymentHashHex: string;
  /** Recovered from the signature, so a match with a node's key proves that node signed it. */
  payeePubkeyHex: string;
  amountMsat: number | null;
}

export type DecodeOutcome =
  | { ok: true; invoice: DecodedInvoice }
  | { ok: false; reason: 'invalid_invoice' | 'wrong_network' };

/** Decodes a regtest invoice, checking checksum and signature; anything else is a named refusal. */
export function decodeRegtestInvoice(paymentRequest: string): DecodeOutcome {
  const normalized = paymentRequest.trim().toLowerCase();
  if (!normalized.startsWith('lnbcrt')) {
    return { ok: false, reason: normalized.startsWith('ln') ? 'wrong_network' : 'invalid_invoice' };
  }
  let decoded: ReturnType<typeof bolt11.decode>;
  try {
    decoded = bolt11.decode(normalized, { ...NETWORKS.regtest, validWitnessVersions: [0, 1] });
  } catch {
    return { ok: false, reason: 'invalid_invoice' };
  }
  const paymentHashHex = decoded.tagsObject.payment_hash;
  if (!paymentHashHex || !decoded.payeeNodeKey) {
    return { ok: false, reason: 'invalid_invoice' };
  }
  const amountMsat = decoded.millisatoshis ? Number(decoded.millisatoshis) : null;
  if (amountMsat !== null && !Number.isSafeInteger(amountMsat)) return { ok: false, reason: 'invalid_invoice' };
  // Expiry is not read from the invoice: settling checks the one stored when the invoice was minted.
  return { ok: true, invoice: { paymentHashHex, payeePubkeyHex: decoded.payeeNodeKey, amountMsat } };
}

/** The compressed secp256k1 public key (33 bytes, hex) a Lightning node is known by. */
export function nodePublicKeyHex(secretKeyHex: string): string {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(secretKeyHex, 'hex'));
  return ecdh.getPublicKey('hex', 'compressed');
}
