export type { InvoiceRequest, Invoicer, MintedInvoice } from '../market/invoicer';

/** Routing fee charged to the payer on every payment: base + proportional (parts per million). */
export interface RoutingFeePolicy {
  baseMsat: number;
  proportionalPpm: number;
}

/**
 * Faults a test sets on a paying node. `no_reply_*` model the real-world unknown outcome: the caller
 * never hears back, and the payment either did not happen (`before_settle`) or did (`after_settle`).
 */
export type PaymentFault =
  | { kind: 'delay'; ms: number }
  | { kind: 'fail' }
  | { kind: 'no_preimage' }
  | { kind: 'no_reply_before_settle' }
  | { kind: 'no_reply_after_settle' };

export type PaymentRefusal =
  | 'invalid_invoice'
  | 'wrong_network'
  | 'unknown_invoice'
  | 'invoice_expired'
  | 'already_paid'
  | 'amount_required'
  | 'amount_mismatch'
  | 'self_payment'
  | 'insufficient_balance'
  | 'route_failed';

export type PaymentOutcome =
  | {
      status: 'settled';
      paymentHashHex: string;
      amountMsat: number;
      feeMsat: number;
      /** null only under the `no_preimage` fault: paid, but the proof is missing. */
      preimageHex: string | null;
    }
  | { status: 'refused'; reason: PaymentRefusal }
  | { status: 'no_reply' };

export interface NodeTransaction {
  direction: 'incoming' | 'outgoing';
  state: 'pending' | 'settled' | 'expired';
  paymentRequest: string;
  paymentHashHex: string;
  description: string;
  /** Settled amount; for an unpaid invoice its face value (null if amountless). */
  amountMsat: number | null;
  feeMsat: number;
  /** Only once settled: the preimage is the proof of payment. */
  preimageHex: string | null;
  createdAtSec: number;
  expiresAtSec: number;
  settledAtSec: number | null;
}

export interface TransactionQuery {
  fromSec?: number;
  untilSec?: number;
  limit?: number;
  offset?: number;
  /** Include unpaid incoming invoices (settled ones are always listed). */
  includeUnpaid?: boolean;
  direction?: 'incoming' | 'outgoing';
}
