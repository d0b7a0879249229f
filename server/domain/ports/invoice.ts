/**
 * Reading a BOLT11 invoice someone pasted (a withdrawal): the rails decode it with its signature
 * checked (server/rails/l402/invoice.ts); the domain only needs these facts.
 */
import type { Msat } from '../../../shared/money';
import type { BitcoinNetwork } from './wallet';

export interface InvoiceFacts {
  network: BitcoinNetwork;
  /** null for an amountless invoice. */
  amountMsat: Msat | null;
  paymentHashHex: string;
  expiresAtSec: number;
  description: string | null;
}

export type DecodeInvoice = (paymentRequest: string) => { ok: true; invoice: InvoiceFacts } | { ok: false; reason: string };
