/**
 * Test-only builders: real signed BOLT11 invoices and real macaroons, so the parser and the gate are
 * tested on what providers actually send. Not imported by production code.
 */
import { createECDH, createHash, randomBytes } from 'node:crypto';
import bolt11 from 'bolt11';
import { newMacaroon } from 'macaroon';

const NETWORKS = {
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  testnet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  signet: { bech32: 'tbs', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
} as const;

export interface TestInvoiceOptions {
  network?: keyof typeof NETWORKS;
  amountMsat?: number | null;
  timestampSec?: number;
  expirySec?: number;
  paymentHashHex?: string;
  nodeKey?: Buffer;
  /** Adds the `n` field (payee node key), as some nodes do. */
  withPayeeField?: boolean;
}

export function newPreimage(): { preimageHex: string; paymentHashHex: string } {
  const preimage = randomBytes(32);
  return { preimageHex: preimage.toString('hex'), paymentHashHex: createHash('sha256').update(preimage).digest('hex') };
}

export function nodePubkeyHex(nodeKey: Buffer): string {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(nodeKey);
  return ecdh.getPublicKey('hex', 'compressed');
}

export function signedInvoice(options: TestInvoiceOptions = {}): { paymentRequest: string; paymentHashHex: string } {
  const paymentHashHex = options.paymentHashHex ?? newPreimage().paymentHashHex;
  const nodeKey = options.nodeKey ?? randomBytes(32);
  const amountMsat = options.amountMsat === undefined ? 10_000 : options.amountMsat;
  const tags: { tagName: string; data: unknown }[] = [
    { tagName: 'payment_hash', data: paymentHashHex },
    { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
    { tagName: 'description', data: 'test' },
    { tagName: 'expire_time', data: options.expirySec ?? 600 },
    ...(options.withPayeeField ? [{ tagName: 'payee_node_key', data: nodePubkeyHex(nodeKey) }] : []),
  ];
  const unsigned = bolt11.encode({
    network: { ...NETWORKS[options.network ?? 'regtest'], validWitnessVersions: [0, 1] },
    timestamp: options.timestampSec ?? Math.floor(Date.now() / 1000),
    ...(amountMsat === null ? {} : { millisatoshis: String(amountMsat) }),
    tags: tags as never,
  });
  const signed = bolt11.sign(unsigned, nodeKey);
  if (!signed.paymentRequest) throw new Error('bolt11 produced no payment request');
  return { paymentRequest: signed.paymentRequest, paymentHashHex };
}

export interface TestMacaroonOptions {
  paymentHashHex: string;
  version?: number;
  caveats?: string[];
  identifierLength?: number;
}

/** Standard base64 of the v2 binary encoding, as Aperture sends it. */
export function mintedMacaroon(options: TestMacaroonOptions): string {
  const id = Buffer.alloc(options.identifierLength ?? 66);
  id.writeUInt16BE(options.version ?? 0, 0);
  Buffer.from(options.paymentHashHex, 'hex').copy(id, 2);
  randomBytes(32).copy(id, 34);
  const mac = newMacaroon({ identifier: id, location: 'test', rootKey: randomBytes(32), version: 2 });
  for (const caveat of options.caveats ?? []) mac.addFirstPartyCaveat(caveat);
  return Buffer.from(mac.exportBinary()).toString('base64');
}

export function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function bech32Polymod(values: number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    generators.forEach((g, i) => {
      if ((top >>> i) & 1) chk ^= g;
    });
  }
  return chk >>> 0;
}

/**
 * Re-encodes an invoice with another human-readable part (e.g. a higher amount) and a freshly
 * computed bech32 checksum, keeping the original signature: what a forger who cannot sign would do.
 */
export function withForgedHrp(paymentRequest: string, newHrp: string): string {
  const separator = paymentRequest.lastIndexOf('1');
  const data = [...paymentRequest.slice(separator + 1, -6)].map((c) => BECH32_CHARSET.indexOf(c));
  const expanded = [...newHrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...newHrp].map((c) => c.charCodeAt(0) & 31));
  const polymod = bech32Polymod([...expanded, ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (polymod >>> (5 * (5 - i))) & 31);
  return `${newHrp}1${[...data, ...checksum].map((v) => BECH32_CHARSET[v]).join('')}`;
}
