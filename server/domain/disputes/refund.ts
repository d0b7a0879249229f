/**
 * Paying a decided refund. The provider is asked first when it publishes a refund endpoint
 * (refund-from-provider.ts); when it does not pay, the person's spending wallet makes an invoice for
 * exactly the refund (make_invoice over NWC) and the treasury pays it, by the same path as a top-up's
 * funding (payFromTreasury). Every step is written down before the next one runs:
 *
 *   refunding --provider part: paid--> refunded (source provider)
 *             --provider part: declined (claim recorded)--> make_invoice (invoice + payment hash stored)
 *             --payFromTreasury: settled--> refunded (source treasury)
 *
 * Exactly once: only `refunding` disputes are advanced, one at a time per dispute (the retry loop's
 * keyed mutex), the treasury pays only after the provider's return invoice can no longer be paid,
 * the stored invoice is the only one it ever pays, the receiver and treasury are asked before paying,
 * and the ledger credit is keyed by the dispute (refund-landed.ts). Across instances, the dispute's
 * lease (`pay_refund`) is held for the attempt and confirmed before an invoice is stored and before
 * the treasury pays.
 */
import { formatSats, msat } from '../../../shared/money';
import type { DisputeRow } from '../../db/schema/disputes';
import type { HeldLease } from '../background';
import { payFromTreasury } from '../payments';
import type { WalletPort } from '../ports/wallet';
import type { DisputeEngineDeps } from './deps';
import { advanceProviderPart } from './refund-from-provider';
import { invoiceForRefund, markRefunded, retryLater, type RefundStep } from './refund-landed';

export type { RefundStep } from './refund-landed';

const INVOICE_EXPIRY_SEC = 24 * 60 * 60;

/** Takes a decided refund as far as it can go now; a step that must wait schedules the next attempt. */
export async function advanceRefund(deps: DisputeEngineDeps, disputeId: string, held: HeldLease): Promise<RefundStep> {
  const due = deps.repo.byId(disputeId);
  if (!due || due.status !== 'refunding' || due.refundMsat <= 0) return 'not_due';
  const wallet = await deps.walletFor(due.userId);
  if (!wallet) return retryLater(deps, due, 'no_wallet', 'The person has no spending wallet connected.');
  const provider = await advanceProviderPart(deps, wallet, due, held);
  if ('done' in provider) return provider.done;
  const row = provider.treasury;
  const withInvoice = row.refundInvoice && row.refundPaymentHash ? row : await makeInvoice(deps, wallet, row, held);
  if (withInvoice === 'lease_lost') return withInvoice;
  if (!withInvoice?.refundInvoice || !withInvoice.refundPaymentHash) return 'invoice_failed';
  const paid = await payFromTreasury(wallet, deps.treasury, { invoice: withInvoice.refundInvoice, paymentHash: withInvoice.refundPaymentHash }, held);
  switch (paid.step) {
    case 'lease_lost':
      return paid.step;
    case 'settled':
      return markRefunded(deps, withInvoice, 'treasury');
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

async function makeInvoice(deps: DisputeEngineDeps, wallet: WalletPort, row: DisputeRow, held: HeldLease): Promise<DisputeRow | 'lease_lost' | null> {
  const made = await invoiceForRefund(deps, wallet, row, { description: `Steward refund ${row.id}`, expirySec: INVOICE_EXPIRY_SEC });
  if (!made) return null;
  if (!held.confirm()) return 'lease_lost';
  const patch = { refundInvoice: made.invoice, refundPaymentHash: made.paymentHashHex, updatedAtMs: deps.now() };
  deps.repo.update(row.id, patch);
  return { ...row, ...patch };
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
