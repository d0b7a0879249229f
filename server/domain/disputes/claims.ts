/** Settling a claim against a provider: an operator records that the provider paid the operator back. */
import type { ProviderClaimView } from '../../../shared/provider-refunds';
import type { DisputeEngineDeps } from './deps';
import { toClaimView } from './views';

export type SettleClaimResult = { ok: true; claim: ProviderClaimView } | { ok: false; reason: 'claim_not_found_or_settled' };

export function settleClaim(deps: Pick<DisputeEngineDeps, 'claims' | 'audit' | 'providerNames' | 'now'>, operatorId: string, claimId: string, note: string): SettleClaimResult {
  // A conditional update (open -> settled): of two operators settling at once, one does.
  const row = deps.claims.settle(claimId, { note: note || null, settledBy: operatorId, atMs: deps.now() });
  if (!row) return { ok: false, reason: 'claim_not_found_or_settled' };
  deps.audit.record(operatorId, 'provider_claim_settled', { claimId: row.id, disputeId: row.disputeId, providerId: row.providerId, amountMsat: row.amountMsat });
  return { ok: true, claim: toClaimView(row, deps.providerNames.for(null)) };
}
