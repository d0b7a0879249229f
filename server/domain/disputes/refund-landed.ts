/**
 * What both refund routes end with (refund.ts: the treasury; refund-from-provider.ts: the provider),
 * so one money rule holds whoever paid: once the sats are in the person's wallet, one IMMEDIATE
 * transaction credits the ledger (keyed by the dispute, so once), lowers the month's usage where the
 * spend counted (governance.recordRefundCredit) and marks the dispute refunded with its source.
 */
import { formatSats, msat } from '../../../shared/money';
import type { RefundSource } from '../../../shared/provider-refunds';
import type { DisputeRow } from '../../db/schema/disputes';
import { providerRefundsAccount, refundsAccount, userAvailableAccount } from '../ledger';
import { retryDelayMs } from '../payments';
import type { WalletPort, WalletTransaction } from '../ports/wallet';
import type { DisputeEngineDeps } from './deps';
import { appendTransition, purchaseName, readEvidence } from './views';

export type RefundStep =
  | 'refunded'
  | 'not_due'
  | 'no_wallet'
  | 'invoice_failed'
  | 'invoice_lapsed'
  | 'waiting'
  | 'treasury_refused'
  | 'no_treasury'
  /** The provider's return invoice may still be paid: looked at again, the treasury waits. */
  | 'awaiting_provider'
  /** Another instance took the dispute's lease during the attempt (this one stalled past it): left to it. */
  | 'lease_lost';

export function markRefunded(deps: DisputeEngineDeps, row: DisputeRow, source: RefundSource): RefundStep {
  const paymentHash = source === 'provider' ? row.providerPaymentHash : row.refundPaymentHash;
  const done = deps.database.sqlite
    .transaction(() => {
      const current = deps.repo.byId(row.id);
      if (!current || current.status !== 'refunding') return null;
      const metadata = { userId: row.userId, disputeId: row.id, paymentId: row.paymentId, source, ...(paymentHash ? { paymentHash } : {}) };
      const credit = deps.ledger.transfer({
        idempotencyKey: `dispute:${row.id}:refund`,
        debit: source === 'provider' ? providerRefundsAccount : refundsAccount,
        credit: userAvailableAccount(row.userId),
        amountMsat: msat(row.refundMsat),
        reason: 'refund',
        metadata,
      });
      if (!credit.ok) throw new Error(`dispute ${row.id} refund credit refused: ${credit.reason}`);
      creditBudget(deps, current, credit.transfer.id);
      const atMs = deps.now();
      const note = source === 'provider' ? 'refunded by the provider' : null;
      const patch = {
        status: 'refunded' as const,
        refundSource: source,
        refundedAtMs: atMs,
        updatedAtMs: atMs,
        nextAttemptAtMs: null,
        lastError: null,
        transitionsJson: appendTransition(current.transitionsJson, { status: 'refunded', atMs, by: 'steward', note }),
      };
      deps.repo.update(row.id, patch);
      return { ...current, ...patch };
    })
    .immediate();
  if (done) announceRefund(deps, done, source);
  return 'refunded';
}

function announceRefund(deps: DisputeEngineDeps, row: DisputeRow, source: RefundSource): void {
  const evidence = readEvidence(row);
  deps.audit.record(row.userId, 'dispute_refunded', { disputeId: row.id, refundMsat: row.refundMsat, source });
  const nameOf = deps.providerNames.for(row.userId);
  const from = source === 'provider' ? ` from ${nameOf(evidence.providerId)}` : '';
  deps.alerts.notify(row.userId, {
    kind: 'dispute_update',
    severity: 'info',
    title: 'Refund received',
    body: `${formatSats(msat(row.refundMsat))}${from} for your dispute about ${purchaseName(evidence, nameOf)} reached your wallet.`,
    data: { disputeId: row.id, status: 'refunded', refundMsat: row.refundMsat, source },
    dedupeKey: `dispute:${row.id}:refunded`,
  });
  deps.changed(row);
}

/** The refund frees budget in the period, service and task of the spend it gives back. */
function creditBudget(deps: DisputeEngineDeps, row: DisputeRow, ledgerTransferId: number): void {
  const payment = deps.repo.payment(row.userId, row.paymentId);
  const reservation = payment ? deps.ledger.getReservation(payment.reservationId) : undefined;
  if (!reservation) throw new Error(`dispute ${row.id}: the disputed payment's reservation is missing`);
  deps.governance.recordRefundCredit({ ledgerTransferId, timeZone: deps.timeZoneOf(row.userId), reservation, amountMsat: msat(row.refundMsat) });
}

/** A step that must wait: counted, with the next attempt after a backoff (or at `atMs`). */
export function retryLater<S extends RefundStep>(deps: DisputeEngineDeps, row: DisputeRow, step: S, error: string, atMs?: number): S {
  deps.repo.update(row.id, {
    refundAttempts: row.refundAttempts + 1,
    nextAttemptAtMs: atMs ?? deps.now() + retryDelayMs(row.refundAttempts),
    lastError: error,
    updatedAtMs: deps.now(),
  });
  return step;
}

/** An invoice from the person's wallet for exactly the refund; null (and a retry scheduled) when it cannot make one. */
export async function invoiceForRefund(deps: DisputeEngineDeps, wallet: WalletPort, row: DisputeRow, terms: { description: string; expirySec: number }): Promise<WalletTransaction | null> {
  const made = await wallet.makeInvoice({ amountMsat: msat(row.refundMsat), ...terms });
  if (made.ok && made.value.amountMsat === row.refundMsat && made.value.invoice) return made.value;
  retryLater(deps, row, 'invoice_failed', made.ok ? `make_invoice answered ${made.value.amountMsat} msat, not ${row.refundMsat}` : `make_invoice: ${made.message}`);
  return null;
}
