import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { l402AuthorizationHeader } from './credential';
import { verifyChallenge } from './gate';
import type { GateInput } from './gate';
import { decodeInvoice } from './invoice';
import { decodeMacaroon, grantedServices, tokenValidUntilSec } from './macaroon';
import { mintedMacaroon, newPreimage, nodePubkeyHex, signedInvoice, toBase64Url, withForgedHrp } from './test-fixtures';
import type { TestInvoiceOptions } from './test-fixtures';

const NOW_SEC = 1_800_000_000;
const NOW = new Date(NOW_SEC * 1000);

/** A consistent challenge for 10 sat on regtest, issued now with a 600 s expiry; overrides break one thing. */
function input(invoiceOptions: TestInvoiceOptions = {}, overrides: Partial<GateInput> = {}): GateInput {
  const { paymentHashHex } = newPreimage();
  const invoice = signedInvoice({ paymentHashHex, timestampSec: NOW_SEC, amountMsat: 10_000, ...invoiceOptions });
  return {
    challenge: { macaroon: mintedMacaroon({ paymentHashHex }) },
    decodedInvoice: decodeInvoice(invoice.paymentRequest),
    walletNetwork: 'regtest',
    now: NOW,
    maxAmountMsat: msat(10_000),
    expiryMarginSec: 60,
    ...overrides,
  };
}

describe('decodeInvoice', () => {
  it('decodes a signed invoice: network, msat amount, hash, payee, expiry', () => {
    const nodeKey = randomBytes(32);
    const { paymentRequest, paymentHashHex } = signedInvoice({ nodeKey, amountMsat: 1_234_567, timestampSec: NOW_SEC, expirySec: 90 });
    expect(decodeInvoice(paymentRequest)).toEqual({
      ok: true,
      invoice: expect.objectContaining({
        network: 'regtest',
        amountMsat: 1_234_567,
        paymentHashHex,
        payeePubkeyHex: nodePubkeyHex(nodeKey),
        timestampSec: NOW_SEC,
        expiresAtSec: NOW_SEC + 90,
      }),
    });
  });

  it.each([
    ['mainnet', 'lnbc'],
    ['testnet', 'lntb'],
    ['signet', 'lntbs'],
    ['regtest', 'lnbcrt'],
  ] as const)('detects %s from the %s prefix, with and without an amount', (network, prefix) => {
    for (const amountMsat of [5_000, null]) {
      const { paymentRequest } = signedInvoice({ network, amountMsat });
      expect(paymentRequest.startsWith(prefix)).toBe(true);
      expect(decodeInvoice(paymentRequest)).toMatchObject({ ok: true, invoice: { network, amountMsat } });
    }
  });

  it('refuses a changed character (checksum), garbage, and an unknown currency prefix', () => {
    const { paymentRequest } = signedInvoice();
    const flipped = paymentRequest.slice(0, 40) + (paymentRequest[40] === 'q' ? 'p' : 'q') + paymentRequest.slice(41);
    expect(decodeInvoice(flipped)).toEqual({ ok: false, reason: 'unparseable_invoice' });
    expect(decodeInvoice('hello')).toEqual({ ok: false, reason: 'unparseable_invoice' });
    expect(decodeInvoice(withForgedHrp(paymentRequest, 'lnxy100n'))).toEqual({ ok: false, reason: 'unknown_network' });
  });

  it('a forged amount changes the recovered payee, and fails outright when the invoice names its payee', () => {
    const nodeKey = randomBytes(32);
    const plain = signedInvoice({ nodeKey, amountMsat: 10_000 });
    const forged = decodeInvoice(withForgedHrp(plain.paymentRequest, 'lnbcrt200n'));
    expect(forged).toMatchObject({ ok: true, invoice: { amountMsat: 20_000 } });
    expect(forged.ok && forged.invoice.payeePubkeyHex).not.toBe(nodePubkeyHex(nodeKey));

    const named = signedInvoice({ nodeKey, amountMsat: 10_000, withPayeeField: true });
    expect(decodeInvoice(named.paymentRequest).ok).toBe(true);
    expect(decodeInvoice(withForgedHrp(named.paymentRequest, 'lnbcrt200n'))).toEqual({
      ok: false,
      reason: 'invalid_invoice_signature',
    });
  });
});

describe('decodeMacaroon', () => {
  it('reads the identifier and caveats from standard and URL-safe base64', () => {
    const { paymentHashHex } = newPreimage();
    const mac = mintedMacaroon({ paymentHashHex, caveats: ['services=joke:0,btc-price:0', 'joke_valid_until=1800000600', 'services=joke:0'] });
    for (const encoded of [mac, toBase64Url(mac), `${mac},${mac}`]) {
      const decoded = decodeMacaroon(encoded);
      expect(decoded).toMatchObject({ ok: true, macaroon: { identifier: { version: 0, paymentHashHex } } });
      if (!decoded.ok) continue;
      expect(decoded.macaroon.identifier.tokenIdHex).toMatch(/^[0-9a-f]{64}$/);
      expect(decoded.macaroon.caveats[1]).toEqual({ condition: 'joke_valid_until=1800000600', key: 'joke_valid_until', value: '1800000600' });
      expect(tokenValidUntilSec(decoded.macaroon)).toBe(1_800_000_600);
      expect(grantedServices(decoded.macaroon)).toEqual(['joke']); // the repeat narrows
    }
  });

  it('names an unknown identifier version or layout, and garbage', () => {
    const { paymentHashHex } = newPreimage();
    expect(decodeMacaroon(mintedMacaroon({ paymentHashHex, version: 1 }))).toEqual({ ok: false, reason: 'unknown_macaroon_version' });
    expect(decodeMacaroon(mintedMacaroon({ paymentHashHex, identifierLength: 70 }))).toEqual({
      ok: false,
      reason: 'unknown_macaroon_version',
    });
    expect(decodeMacaroon('AgJ4')).toEqual({ ok: false, reason: 'malformed_macaroon' });
    expect(decodeMacaroon('not base64!')).toEqual({ ok: false, reason: 'malformed_macaroon' });
  });
});

describe('verifyChallenge', () => {
  it('passes a consistent challenge and returns the verified invoice and macaroon', () => {
    const gate = input();
    const result = verifyChallenge(gate);
    expect(result).toMatchObject({ ok: true, invoice: { amountMsat: 10_000, network: 'regtest', expiresAtSec: NOW_SEC + 600 } });
    expect(result.ok && result.invoice.paymentHashHex).toBe(result.ok && result.macaroon.identifier.paymentHashHex);
  });

  it('amount: exactly the approved maximum passes, one msat more is refused', () => {
    expect(verifyChallenge(input({ amountMsat: 10_000 }, { maxAmountMsat: msat(10_000) })).ok).toBe(true);
    expect(verifyChallenge(input({ amountMsat: 10_001 }, { maxAmountMsat: msat(10_000) }))).toEqual({
      ok: false,
      reason: 'amount_above_approved',
    });
  });

  it('expiry: more than the margin left passes; exactly the margin, or less, is refused', () => {
    // Expires at NOW + 600; margin 599 leaves 1 s to spare, margin 600 leaves none.
    expect(verifyChallenge(input({}, { expiryMarginSec: 599 })).ok).toBe(true);
    expect(verifyChallenge(input({}, { expiryMarginSec: 600 }))).toEqual({ ok: false, reason: 'invoice_expired' });
    expect(verifyChallenge(input({}, { now: new Date((NOW_SEC + 540) * 1000 + 1) }))).toEqual({ ok: false, reason: 'invoice_expired' });
    expect(verifyChallenge(input({ timestampSec: NOW_SEC - 7200 }))).toEqual({ ok: false, reason: 'invoice_expired' });
  });

  it.each([
    ['amountless_invoice', input({ amountMsat: null })],
    ['network_mismatch', input({ network: 'mainnet' })],
    ['network_mismatch', input({}, { walletNetwork: 'signet' })],
    ['network_mismatch', input({}, { walletNetwork: null })],
    ['payment_hash_mismatch', input({}, { challenge: { macaroon: mintedMacaroon({ paymentHashHex: newPreimage().paymentHashHex }) } })],
    ['unknown_macaroon_version', input({}, { challenge: { macaroon: mintedMacaroon({ paymentHashHex: '00'.repeat(32), version: 2 }) } })],
    ['malformed_macaroon', input({}, { challenge: { macaroon: 'AgJ4' } })],
    ['unparseable_invoice', input({}, { decodedInvoice: decodeInvoice('lnbcrt1garbage') })],
    ['payee_mismatch', input({}, { expectedPayeePubkeyHex: nodePubkeyHex(randomBytes(32)) })],
  ] as const)('refuses with %s', (reason, gateInput) => {
    expect(verifyChallenge(gateInput)).toEqual({ ok: false, reason });
  });

  it('refuses an invoice whose named payee does not match its signature', () => {
    const { paymentHashHex } = newPreimage();
    const named = signedInvoice({ paymentHashHex, timestampSec: NOW_SEC, withPayeeField: true });
    const gate = input({}, {
      challenge: { macaroon: mintedMacaroon({ paymentHashHex }) },
      decodedInvoice: decodeInvoice(withForgedHrp(named.paymentRequest, 'lnbcrt1n')),
    });
    expect(verifyChallenge(gate)).toEqual({ ok: false, reason: 'invalid_invoice_signature' });
  });

  it('passes when the expected payee signed the invoice', () => {
    const nodeKey = randomBytes(32);
    expect(verifyChallenge(input({ nodeKey }, { expectedPayeePubkeyHex: nodePubkeyHex(nodeKey).toUpperCase() })).ok).toBe(true);
  });

  it('treats a negative margin or an invalid date as a bug', () => {
    expect(() => verifyChallenge(input({}, { expiryMarginSec: -1 }))).toThrow();
    expect(() => verifyChallenge(input({}, { now: new Date(Number.NaN) }))).toThrow();
  });
});

describe('l402AuthorizationHeader', () => {
  it('builds one value with the macaroon as sent and the preimage in lowercase hex', () => {
    const { preimageHex, paymentHashHex } = newPreimage();
    const mac = toBase64Url(mintedMacaroon({ paymentHashHex }));
    expect(l402AuthorizationHeader(mac, preimageHex.toUpperCase())).toBe(`L402 ${mac}:${preimageHex}`);
    expect(() => l402AuthorizationHeader(mac, 'abc')).toThrow();
    expect(() => l402AuthorizationHeader('bad mac', preimageHex)).toThrow();
  });
});
