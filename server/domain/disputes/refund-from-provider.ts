/**
 * The provider's part of a refund (docs/provider-refunds.md), run before the treasury's. Every step
 * is written down before the next one runs, so a crash anywhere resumes where it stopped:
 *
 *   refunding, provider_step null --no endpoint / no proof--> declined (claim) -> the treasury pays
 *                                 --make_invoice (short expiry), stored--> asking
 *   asking --ask the provider (its answer stored)--> look up the return invoice in the person's wallet:
 *            settled for the full amount --> refunded (source provider)
 *            expired / unknown to the wallet --> declined (claim, by its answer) -> the treasury pays
 *            still payable --> looked at again (the treasury waits)
 *
 * Only the person's wallet is believed: a provider that says "refunded" without paying, refuses, or
 * does not answer in time is treated alike, and the treasury pays only once the return invoice can no
 * longer be paid, so provider and treasury never both pay. Asking again after a crash carries the same
 * invoice, which can be paid once.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderClaimReason } from '../../../shared/provider-refunds';
import type { DisputeRow } from '../../db/schema/disputes';
import type { HeldLease } from '../background';
import { retryDelayMs } from '../payments';
import type { WalletPort } from '../ports/wallet';
import type { DisputeEngineDeps } from './deps';
import { claimReasonFor, judgeReturnInvoice, nextProviderLookMs, providerRefundRequest, providerRoute } from './provider-rules';
import { invoiceForRefund, markRefunded, retryLater, type RefundStep } from './refund-landed';
import { readEvidence } from './views';

/** Either the refund is settled for now (a step), or the treasury pays it (the row, declined by the provider). */
export type ProviderPart = { done: RefundStep } | { treasury: DisputeRow };

export async function advanceProviderPart(deps: DisputeEngineDeps, wallet: WalletPort, row: DisputeRow, held: HeldLease): Promise<ProviderPart> {
  if (row.providerStep === 'declined') return { treasury: row };
  let current = row;
  if (current.providerStep === null) {
    const route = providerRoute(deps.providerRefunds.endpointFor(row.userId, readEvidence(row).serviceId), readEvidence(row));
    if (!route.ask) return { treasury: declineToTreasury(deps, row, route.reason, null) };
    const asking = await makeReturnInvoice(deps, wallet, row, held);
    if (asking === 'lease_lost') return { done: asking };
    if (!asking) return { done: 'invoice_failed' };
    current = asking;
  }
  if (current.providerAnswer === null) current = await askProvider(deps, current);
  const hash = current.providerPaymentHash ?? '';
  const looked = judgeReturnInvoice(await wallet.lookupInvoice({ paymentHashHex: hash }), {
    refundMsat: current.refundMsat,
    expiresAtMs: current.providerInvoiceExpiresAtMs ?? 0,
    nowMs: deps.now(),
  });
  switch (looked.verdict) {
    case 'paid':
      return { done: markRefunded(deps, current, 'provider') };
    case 'lapsed':
      return { treasury: declineToTreasury(deps, current, claimReasonFor(current.providerAnswer), [current.providerAnswerDetail, looked.why].filter(Boolean).join('; ')) };
    case 'waiting': {
      const atMs = nextProviderLookMs({ nowMs: deps.now(), expiresAtMs: current.providerInvoiceExpiresAtMs ?? 0, backoffMs: retryDelayMs(current.refundAttempts) });
      return { done: retryLater(deps, current, 'awaiting_provider', `waiting for the provider's refund: ${looked.why}`, atMs) };
    }
  }
}

/**
 * The return invoice, for exactly the refund, stored (with its expiry) before the provider ever sees
 * it; only by the dispute's lease holder, so the invoice asked for is the one stored.
 */
async function makeReturnInvoice(deps: DisputeEngineDeps, wallet: WalletPort, row: DisputeRow, held: HeldLease): Promise<DisputeRow | 'lease_lost' | null> {
  const made = await invoiceForRefund(deps, wallet, row, { description: `Steward refund ${row.id} (from the provider)`, expirySec: deps.returnInvoiceExpirySec });
  if (!made) return null;
  if (!held.confirm()) return 'lease_lost';
  const expiresAtMs = made.expiresAtSec === null ? deps.now() + deps.returnInvoiceExpirySec * 1_000 : made.expiresAtSec * 1_000;
  const patch = {
    providerStep: 'asking' as const,
    providerInvoice: made.invoice,
    providerPaymentHash: made.paymentHashHex,
    providerInvoiceExpiresAtMs: expiresAtMs,
    updatedAtMs: deps.now(),
  };
  deps.repo.update(row.id, patch);
  return { ...row, ...patch };
}

async function askProvider(deps: DisputeEngineDeps, row: DisputeRow): Promise<DisputeRow> {
  const evidence = readEvidence(row);
  const endpointUrl = deps.providerRefunds.endpointFor(row.userId, evidence.serviceId);
  const request = providerRefundRequest({ disputeId: row.id, evidence, category: row.category, reason: row.reason, refundMsat: row.refundMsat, returnInvoice: row.providerInvoice ?? '' });
  const reply = endpointUrl ? await deps.providerRefunds.ask(endpointUrl, request) : { kind: 'no_answer' as const, detail: 'the provider no longer publishes a refund endpoint' };
  const detail = reply.kind === 'refused' ? reply.reason : reply.kind === 'no_answer' ? reply.detail : null;
  const patch = { providerAnswer: reply.kind, providerAnswerDetail: detail?.slice(0, 500) ?? null, updatedAtMs: deps.now() };
  deps.repo.update(row.id, patch);
  return { ...row, ...patch };
}

/**
 * The provider will not pay: in one transaction the refund passes to the treasury (due at once) and
 * the claim against the provider is recorded (one per dispute, so a retry records nothing twice).
 */
function declineToTreasury(deps: DisputeEngineDeps, row: DisputeRow, reason: ProviderClaimReason, detail: string | null): DisputeRow {
  const evidence = readEvidence(row);
  const atMs = deps.now();
  const claimed = deps.database.sqlite
    .transaction(() => {
      const current = deps.repo.byId(row.id);
      if (!current || current.status !== 'refunding' || current.providerStep === 'declined') return false;
      deps.repo.update(row.id, { providerStep: 'declined', nextAttemptAtMs: atMs, lastError: null, updatedAtMs: atMs });
      return deps.claims.insert({
        id: randomUUID(),
        disputeId: row.id,
        userId: row.userId,
        providerId: evidence.providerId,
        serviceId: evidence.serviceId,
        amountMsat: row.refundMsat,
        reason,
        detail,
        status: 'open',
        createdAtMs: atMs,
        updatedAtMs: atMs,
      });
    })
    .immediate();
  if (claimed) deps.audit.record(row.userId, 'provider_claim_opened', { disputeId: row.id, providerId: evidence.providerId, amountMsat: row.refundMsat, reason });
  return deps.repo.byId(row.id) ?? { ...row, providerStep: 'declined' };
}
