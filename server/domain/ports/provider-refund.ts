/**
 * Asking a provider to refund a disputed purchase itself (docs/provider-refunds.md). The rail behind
 * it (server/rails/l402/provider-refund.ts) goes through the guarded fetch with its own short timeout
 * and reads the answer through the shared zod schema; whatever it says, the disputes domain believes
 * only the person's wallet.
 */
import type { ProviderRefundRequest } from '../../../shared/provider-refunds';

export type ProviderRefundReply =
  /** The provider says it paid the return invoice (a claim, to be checked with lookup_invoice). */
  | { kind: 'refunded' }
  | { kind: 'refused'; reason: string }
  /** Timed out, unreachable, an HTTP error or a body that is not the protocol's: no answer at all. */
  | { kind: 'no_answer'; detail: string };

export interface ProviderRefundPort {
  /** The provider's refund endpoint (absolute URL) for the catalog service the person bought, if it publishes one. */
  endpointFor(userId: string, serviceId: string): string | null;
  ask(endpointUrl: string, request: ProviderRefundRequest): Promise<ProviderRefundReply>;
}
