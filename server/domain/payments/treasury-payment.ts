/**
 * The treasury pays an invoice the person's spending wallet made: the one path by which the operator
 * moves sats to a person (card top-ups' funding, dispute refunds). Never pays twice: before paying,
 * the receiving wallet is asked whether the invoice is already settled, and the treasury whether it is
 * already paying it; without an answer nothing is paid. The caller stores the invoice before calling
 * and records the outcome durably; a crash anywhere is resumed by calling again with the same invoice.
 * The caller works under the item's lease (background/leases.ts), confirmed right before paying: an
 * instance whose lease lapsed (paused past it) stops there and leaves the item to its new holder.
 */
import type { HeldLease } from '../background';
import { preimageMatchesPaymentHash, type WalletPort } from '../ports/wallet';

export type TreasuryPaymentStep =
  /** The person's wallet holds the sats (seen settled, or paid with a valid proof just now). */
  | { step: 'settled' }
  /** The invoice lapsed, or neither the receiver nor the treasury knows it: never paid, make a new one. */
  | { step: 'invoice_lapsed' }
  /** Nothing certain yet (receiver silent, treasury still paying, outcome unknown): ask again later. */
  | { step: 'retry'; why: 'outcome_unknown' | 'treasury_in_flight'; error: string }
  /** The treasury cannot pay (lookup or payment refused): retry with backoff, tell the operators. */
  | { step: 'treasury_refused'; error: string }
  /** No treasury is configured (checked after the receiver, which may already hold the sats). */
  | { step: 'no_treasury' }
  /** The item's lease was lost before paying: another instance has it now; nothing was paid. */
  | { step: 'lease_lost' };

export async function payFromTreasury(
  receiver: WalletPort,
  treasury: WalletPort | null,
  invoice: { invoice: string; paymentHash: string },
  held: HeldLease,
): Promise<TreasuryPaymentStep> {
  const received = await receiver.lookupInvoice({ paymentHashHex: invoice.paymentHash });
  if (received.ok && received.value.state === 'settled') return { step: 'settled' };
  if (received.ok && (received.value.state === 'expired' || received.value.state === 'failed')) return { step: 'invoice_lapsed' };
  // "Not found" is the receiver's word about its own invoices, and the receiver asked is the person's
  // spending wallet now, not always the one that made this invoice: only the treasury knows whether
  // it paid it, so it is asked before the invoice is called lapsed and a new one made and paid.
  const receiverUnaware = !received.ok && received.outcome === 'refused' && received.reason === 'not_found';
  if (!received.ok && !receiverUnaware) return { step: 'retry', why: 'outcome_unknown', error: `receiving wallet did not answer: ${received.message}` };
  if (!treasury) return { step: 'no_treasury' };

  const sent = await treasury.lookupInvoice({ paymentHashHex: invoice.paymentHash });
  if (sent.ok && sent.value.state === 'pending') return { step: 'retry', why: 'treasury_in_flight', error: 'the treasury is still paying this invoice' };
  if (sent.ok && sent.value.state === 'settled') return { step: 'settled' };
  if (!sent.ok && !(sent.outcome === 'refused' && sent.reason === 'not_found')) return { step: 'treasury_refused', error: `treasury lookup_invoice: ${sent.message}` };
  if (receiverUnaware) return { step: 'invoice_lapsed' };
  if (!held.confirm()) return { step: 'lease_lost' };
  const paid = await treasury.payInvoice(invoice.invoice);
  if (paid.status === 'paid' && paid.preimageHex && preimageMatchesPaymentHash(paid.preimageHex, invoice.paymentHash)) return { step: 'settled' };
  if (paid.status === 'failed') return { step: 'treasury_refused', error: `treasury pay_invoice: ${paid.message}` };
  // Unknown, or "paid" without a proof: the receiving wallet's lookup decides on the next attempt.
  return { step: 'retry', why: 'outcome_unknown', error: paid.status === 'unknown' ? paid.message : 'paid without a valid preimage' };
}
