/**
 * Paying a decided refund: the person's spending wallet makes an invoice for exactly the refund
 * (make_invoice over NWC) and the treasury pays it, by the same path as a top-up's funding
 * (payFromTreasury). Every step is written down before the next one runs:
 *
 *   refunding --make_invoice--> refunding (invoice + payment hash stored)
 *             --payFromTreasury: settled--> refunded (ledger + budget credit in one transaction)
 *
 * Exactly once: only `refunding` disputes are advanced, one at a time per dispute (a keyed mutex in
 * the service), the stored invoice is the only one ever paid, the receiver and treasury are asked
 * before paying, and the ledger credit is keyed by the dispute.
 */
import { formatSats, msat } from '../../../shared/money';
import type { DisputeRow } from '../../db/schema/disputes';
import { refundsAccount, userAvailableAccount } from '../ledger';
import { payFromTreasury, retryDelayMs } from '../payments';
import type { WalletPort } from '../ports/wallet';
import type { DisputeEngineDeps } from './deps';
import { appendTransition, readEvidence } from './views';

const INVOICE_EXPIRY_SEC = 24 * 60 * 60;

export type RefundStep = 'refunded' | 'not_due' | 'no_wallet' | 'invoice_failed' | 'invoice_lapsed' | 'waiting' | 'treasury_refused' | 'no_treasury';

/** Takes a decided refund as far as it can go now; a step that must wait schedules the next attempt. */
export async function advanceRefund(deps: DisputeEngineDeps, disputeId: string): Promise<RefundStep> {
  const row = deps.repo.byId(disputeId);
  if (!row || row.status !== 'refunding' || row.refundMsat <= 0) return 'not_due';
  const wallet = await deps.walletFor(row.userId);
  if (!wallet) return retryLater(deps, row, 'no_wallet', 'The person has no spending wallet connected.');
  const withInvoice = row.refundInvoice && row.refundPaymentHash ? row : await makeInvoice(deps, wallet, row);
  if (!withInvoice?.refundInvoice || !withInvoice.refundPaymentHash) return 'invoice_failed';
  const paid = await payFromTreasury(wallet, deps.treasury, { invoice: withInvoice.refundInvoice, paymentHash: withInvoice.refundPaymentHash });
  switch (paid.step) {
    case 'settled':
      return markRefunded(deps, withInvoice);
    case 'invoice_lapsed':
      // Never paid: the next attempt makes a new invoice.
      deps.repo.update(row.id, { refundInvoice: null, refundPaymentHash: null, nextAttemptAtMs: deps.now(), updatedAtMs: deps.now() });
      return 'invoice_lapsed';
    case 'retry':
      return retryLater(deps, withInvoice, 'waiting', paid.error);
    case 'no_treasury':
      return delayRefund(deps, withInvoice, 'no_treasury', 'No treasury wallet is configured.');
    case 'treasury_refused':
      return delayRefund(deps, withInvoice, 'treasury_refused', paid.error);
  }
}

async function makeInvoice(deps: DisputeEngineDeps, wallet: WalletPort, row: DisputeRow): Promise<DisputeRow | null> {
  const made = await wallet.makeInvoice({ amountMsat: msat(row.refundMsat), description: `Steward refund ${row.id}`, expirySec: INVOICE_EXPIRY_SEC });
  if (!made.ok || made.value.amountMsat !== row.refundMsat || !made.value.invoice) {
    retryLater(deps, row, 'invoice_failed', made.ok ? `make_invoice answered ${made.value.amountMsat} msat, not ${row.refundMsat}` : `make_invoice: ${made.message}`);
    return null;
  }
  const patch = { refundInvoice: made.value.invoice, refundPaymentHash: made.value.paymentHashHex, updatedAtMs: deps.now() };
  deps.repo.update(row.id, patch);
  return { ...row, ...patch };
}

/**
 * The sats are in the person's wallet: credit the ledger (refunds -> their funds, keyed by the
 * dispute), lower the month's usage where the spend counted, and mark the dispute refunded, in one
 * IMMEDIATE transaction, so each happens exactly once.
 */
function markRefunded(deps: DisputeEngineDeps, row: DisputeRow): RefundStep {
  const done = deps.database.sqlite
    .transaction(() => {
      const current = deps.repo.byId(row.id);
      if (!current || current.status !== 'refunding') return null;
      const metadata = { userId: row.userId, disputeId: row.id, paymentId: row.paymentId, ...(row.refundPaymentHash ? { paymentHash: row.refundPaymentHash } : {}) };
      const credit = deps.ledger.transfer({
        idempotencyKey: `dispute:${row.id}:refund`,
        debit: refundsAccount,
        credit: userAvailableAccount(row.userId),
        amountMsat: msat(row.refundMsat),
        reason: 'refund',
        metadata,
      });
      if (!credit.ok) throw new Error(`dispute ${row.id} refund credit refused: ${credit.reason}`);
      creditBudget(deps, current, credit.transfer.id);
      const atMs = deps.now();
      const patch = { status: 'refunded' as const, refundedAtMs: atMs, updatedAtMs: atMs, nextAttemptAtMs: null, lastError: null, transitionsJson: appendTransition(current.transitionsJson, { status: 'refunded', atMs, by: 'steward', note: null }) };
      deps.repo.update(row.id, patch);
      return { ...current, ...patch };
    })
    .immediate();
  if (done) {
    deps.audit.record(done.userId, 'dispute_refunded', { disputeId: done.id, refundMsat: done.refundMsat });
    deps.alerts.notify(done.userId, {
      kind: 'dispute_update',
      severity: 'info',
      title: 'Refund received',
      body: `${formatSats(msat(done.refundMsat))} for your dispute about ${readEvidence(done).serviceId} reached your wallet.`,
      data: { disputeId: done.id, status: 'refunded', refundMsat: done.refundMsat },
      dedupeKey: `dispute:${done.id}:refunded`,
    });
    deps.changed(done);
  }
  return 'refunded';
}

/** The refund frees budget in the period, service and task of the spend it gives back. */
function creditBudget(deps: DisputeEngineDeps, row: DisputeRow, ledgerTransferId: number): void {
  const payment = deps.repo.payment(row.userId, row.paymentId);
  const reservation = payment ? deps.ledger.getReservation(payment.reservationId) : undefined;
  if (!reservation) throw new Error(`dispute ${row.id}: the disputed payment's reservation is missing`);
  deps.governance.recordRefundCredit({ ledgerTransferId, timeZone: deps.timeZoneOf(row.userId), reservation, amountMsat: msat(row.refundMsat) });
}

/** The treasury cannot pay: keep the refund due (never lost), retry with backoff, and tell the operators once. */
function delayRefund<S extends RefundStep>(deps: DisputeEngineDeps, row: DisputeRow, step: S, error: string): S {
  // The dedupe key makes it one alert per dispute however many attempts wait.
  for (const operatorId of deps.operatorIds()) {
    deps.alerts.notify(operatorId, {
      kind: 'dispute_update',
      severity: 'critical',
      title: 'The treasury cannot pay a refund',
      body: `Dispute ${row.id} (${formatSats(msat(row.refundMsat))}) is decided but waiting: ${error}. It is retried until the treasury can pay.`,
      data: { disputeId: row.id, userId: row.userId, refundMsat: row.refundMsat },
      dedupeKey: `dispute:${row.id}:treasury_waiting`,
    });
  }
  return retryLater(deps, row, step, error);
}

function retryLater<S extends RefundStep>(deps: DisputeEngineDeps, row: DisputeRow, step: S, error: string): S {
  deps.repo.update(row.id, {
    refundAttempts: row.refundAttempts + 1,
    nextAttemptAtMs: deps.now() + retryDelayMs(row.refundAttempts),
    lastError: error,
    updatedAtMs: deps.now(),
  });
  return step;
}
