/**
 * Test double behind the Invoicer port: signs real BOLT11 invoices with a real node key and keeps
 * each preimage, so a test can "pay" by looking the preimage up. Not used outside tests.
 */
import bolt11 from 'bolt11';
import { createHash, randomBytes } from 'node:crypto';
import type { InvoiceRequest, Invoicer, MintedInvoice } from './invoicer';

const NETWORKS = {
  regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  mainnet: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
};

export interface TestInvoicer extends Invoicer {
  readonly requests: InvoiceRequest[];
  preimageFor(paymentHashHex: string): string;
}

export function createTestInvoicer(nowMs: () => number = Date.now): TestInvoicer {
  const nodeKey = randomBytes(32);
  const preimages = new Map<string, string>();
  const requests: InvoiceRequest[] = [];
  return {
    requests,
    createInvoice(req): MintedInvoice {
      requests.push(req);
      const preimage = randomBytes(32);
      const paymentHashHex = createHash('sha256').update(preimage).digest('hex');
      preimages.set(paymentHashHex, preimage.toString('hex'));
      const encoded = bolt11.encode({
        network: NETWORKS[req.network ?? 'regtest'],
        timestamp: req.timestampSec ?? Math.floor(nowMs() / 1000),
        ...(req.amountMsat === null ? {} : { millisatoshis: String(req.amountMsat) }),
        tags: [
          { tagName: 'payment_hash', data: paymentHashHex },
          { tagName: 'payment_secret', data: randomBytes(32).toString('hex') },
          { tagName: 'description', data: req.description },
          { tagName: 'expire_time', data: req.expirySeconds },
        ],
      });
      const signed = bolt11.sign(encoded, nodeKey);
      if (!signed.paymentRequest) throw new Error('bolt11 did not produce a payment request');
      return { paymentRequest: signed.paymentRequest, paymentHashHex };
    },
    preimageFor(paymentHashHex) {
      const preimage = preimages.get(paymentHashHex);
      if (!preimage) throw new Error(`no invoice with hash ${paymentHashHex}`);
      return preimage;
    },
  };
}
