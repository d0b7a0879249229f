/**
 * The verification gate: the last check between a challenge and a payment. Pure (no clock, no I/O),
 * so every refusal is reproducible and can be stored with the step that was refused.
 */
import type { BitcoinNetwork } from '../../domain/ports/wallet';
import type { Msat } from '../../../shared/money';
import type { L402Challenge } from './challenge';
import type { DecodedInvoice, InvoiceDecodeResult } from './invoice';
import { decodeMacaroon } from './macaroon';
import type { ChallengeRefusal } from '../../domain/ports/l402';
import type { DecodedMacaroon } from './macaroon';

/** The gate's refusals are the port's: one list, named once, for the step's record. */
export type GateRefusal = ChallengeRefusal;

export interface GateInput {
  challenge: Pick<L402Challenge, 'macaroon'>;
  /** `decodeInvoice(challenge.invoice)`: its failures become refusals here. */
  decodedInvoice: InvoiceDecodeResult;
  /** From the wallet's `get_info`; null when the wallet named a network we do not know. */
  walletNetwork: BitcoinNetwork | null;
  now: Date;
  /** The most this step was approved to pay, routing fees excluded (they are capped by the wallet call). */
  maxAmountMsat: Msat;
  /** The invoice must stay payable for longer than this after `now`, so it cannot expire in flight. */
  expiryMarginSec: number;
  /** The provider's published node key (manifest `provider.node_pubkey`), when there is one. */
  expectedPayeePubkeyHex?: string | null;
}

export interface VerifiedInvoice extends DecodedInvoice {
  amountMsat: Msat;
}

export type GateResult =
  | { ok: true; invoice: VerifiedInvoice; macaroon: DecodedMacaroon }
  | { ok: false; reason: GateRefusal };

export function verifyChallenge(input: GateInput): GateResult {
  if (!Number.isFinite(input.expiryMarginSec) || input.expiryMarginSec < 0) {
    throw new Error(`expiryMarginSec must be a non-negative number, got ${input.expiryMarginSec}`);
  }
  const nowMs = input.now.getTime();
  if (Number.isNaN(nowMs)) throw new Error('now is an invalid Date');

  const macaroon = decodeMacaroon(input.challenge.macaroon);
  if (!macaroon.ok) return refuse(macaroon.reason);
  if (!input.decodedInvoice.ok) return refuse(input.decodedInvoice.reason);
  const invoice = input.decodedInvoice.invoice;

  if (input.walletNetwork === null || invoice.network !== input.walletNetwork) return refuse('network_mismatch');
  if (invoice.amountMsat === null) return refuse('amountless_invoice');
  if (invoice.amountMsat > input.maxAmountMsat) return refuse('amount_above_approved');
  // Strictly more than the margin must remain: at exactly the margin the invoice is refused.
  if (invoice.expiresAtSec * 1000 - nowMs <= input.expiryMarginSec * 1000) return refuse('invoice_expired');
  // A macaroon bound to another hash can never be unlocked by paying this invoice.
  if (macaroon.macaroon.identifier.paymentHashHex !== invoice.paymentHashHex) return refuse('payment_hash_mismatch');
  const expectedPayee = input.expectedPayeePubkeyHex?.toLowerCase();
  if (expectedPayee && expectedPayee !== invoice.payeePubkeyHex) return refuse('payee_mismatch');

  return { ok: true, invoice: { ...invoice, amountMsat: invoice.amountMsat }, macaroon: macaroon.macaroon };
}

function refuse(reason: GateRefusal): GateResult {
  return { ok: false, reason };
}
