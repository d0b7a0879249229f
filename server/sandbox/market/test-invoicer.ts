/**
 * Test double behind the Invoicer port: signs real BOLT11 invoices with a real node key and keeps
 * each preimage, so a test can "pay" by looking the preimage up. Not used outside tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { signInvoice } from '../lightning/invoice-codec';
import type { InvoiceRequest, Invoicer, MintedInvoice } from './invoicer';

export interface TestInvoicer extends Invoicer {
  readonly requests: InvoiceRequest[];
  preimageFor(paymentHashHex: string): string;
}

export function createTestInvoicer(nowMs: () => number = Date.now): TestInvoicer {
  const nodeSecretKeyHex = randomBytes(32).toString('hex');
  const preimages = new Map<string, string>();
  const requests: InvoiceRequest[] = [];
  return {
    requests,
    createInvoice(req): MintedInvoice {
      requests.push(req);
      const preimage = randomBytes(32);
      const paymentHashHex = createHash('sha256').update(preimage).digest('hex');
      preimages.set(paymentHashHex, preimage.toString('hex'));
      const paymentRequest = signInvoice(
        {
          network: req.network ?? 'regtest',
          amountMsat: req.amountMsat,
          paymentHashHex,
          paymentSecretHex: randomBytes(32).toString('hex'),
          description: req.description,
          expirySeconds: req.expirySeconds,
          timestampSec: req.timestampSec ?? Math.floor(nowMs() / 1000),
        },
        nodeSecretKeyHex,
      );
      return { paymentRequest, paymentHashHex };
    },
    preimageFor(paymentHashHex) {
      const preimage = preimages.get(paymentHashHex);
      if (!preimage) throw new Error(`no invoice with hash ${paymentHashHex}`);
      return preimage;
    },
  };
}
