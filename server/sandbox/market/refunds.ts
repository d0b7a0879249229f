/**
 * The provider side of the refund protocol (docs/provider-refunds.md), so every branch of Steward's
 * provider refunds runs offline. Each provider has a refund behaviour: `pays` (checks the proof of
 * payment and pays the return invoice from its own node), `refuses`, and, for tests, `lies` (answers
 * "refunded" and pays nothing) and `slow` (pays and answers only after `slowRefundMs`). A provider
 * without one publishes no refund endpoint.
 */
import { createHash } from 'node:crypto';
import { providerRefundRequestSchema, type ProviderRefundAnswer } from '../../../shared/provider-refunds';

export const REFUND_BEHAVIOURS = ['pays', 'refuses', 'lies', 'slow'] as const;
export type RefundBehaviour = (typeof REFUND_BEHAVIOURS)[number];

export const refundPathFor = (providerId: string) => `/l402/refund/${providerId}`;

/** A provider's wallet as its refund desk needs it; the stack hands in the provider's node. */
export interface Refunder {
  /** Msat the provider received for this payment hash (its own settled invoice), or null. */
  receivedMsat(paymentHashHex: string): number | null;
  /** The most it gives back for a payment of `receivedMsat`: the price plus the buyer's routing fee. */
  refundableMsat(receivedMsat: number): number;
  /** Pays the invoice from the provider's node if it asks exactly `amountMsat`. */
  payBack(invoice: string, amountMsat: number): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export interface RefundDesk {
  answer(body: unknown): Promise<{ status: number; body: ProviderRefundAnswer }>;
}

export function createRefundDesk(input: { providerName: string; behaviour: RefundBehaviour; refunder: Refunder; slowRefundMs: number; pause: (ms: number) => Promise<boolean> }): RefundDesk {
  // Payment hashes already refunded: asking again (Steward after a crash) answers the same, pays nothing more.
  const refunded = new Set<string>();
  const refuse = (status: number, reason: string) => ({ status, body: { status: 'refused' as const, reason } });
  return {
    async answer(body) {
      const parsed = providerRefundRequestSchema.safeParse(body);
      if (!parsed.success) return refuse(400, 'not a refund request');
      const request = parsed.data;
      if (input.behaviour === 'refuses') return refuse(200, `${input.providerName} does not refund disputed calls.`);
      if (input.behaviour === 'lies') return { status: 200, body: { status: 'refunded' } };
      const proof = checkProof(request, input.refunder);
      if (!proof.ok) return refuse(200, proof.reason);
      if (refunded.has(request.payment_hash)) return { status: 200, body: { status: 'refunded' } };
      if (request.amount_msat > input.refunder.refundableMsat(proof.receivedMsat)) return refuse(200, `asks ${request.amount_msat} msat, more than was paid`);
      if (input.behaviour === 'slow' && !(await input.pause(input.slowRefundMs))) return refuse(503, 'closing');
      const paid = await input.refunder.payBack(request.return_invoice, request.amount_msat);
      if (!paid.ok) return refuse(200, `could not pay the return invoice: ${paid.reason}`);
      refunded.add(request.payment_hash);
      return { status: 200, body: { status: 'refunded' } };
    },
  };
}

/** The preimage hashes to the payment hash, the token's id carries it, and this provider was paid for it. */
function checkProof(request: { payment_hash: string; preimage: string; macaroon_id: string }, refunder: Refunder): { ok: true; receivedMsat: number } | { ok: false; reason: string } {
  if (createHash('sha256').update(Buffer.from(request.preimage, 'hex')).digest('hex') !== request.payment_hash) return { ok: false, reason: 'the preimage does not match the payment hash' };
  // Macaroon id: uint16 version | 32-byte payment hash | 32-byte token id (README "Macaroon").
  if (request.macaroon_id.slice(4, 68) !== request.payment_hash) return { ok: false, reason: 'the token was not issued for this payment' };
  const receivedMsat = refunder.receivedMsat(request.payment_hash);
  return receivedMsat === null ? { ok: false, reason: 'no such payment was received' } : { ok: true, receivedMsat };
}
