/**
 * Finishes payments whose outcome was never learnt (a wallet timeout, a relay outage, a crash between
 * the write-ahead record and the settle). Run once at start-up and then on a timer. It only asks the
 * wallet (`lookup_invoice`); it never pays. The rules, per payment left `reserved` or `paying`:
 *
 *   reserved  The wallet was never asked (a payment is marked `paying` before the call). After a
 *             short grace, void it.
 *   paying    lookup_invoice(payment hash):
 *             settled                   -> post it, with the wallet's preimage and fee (`uncovered` when
 *                                          it settled so late that the person's funds no longer cover
 *                                          it: what they cover is posted, once); with a valid
 *                                          preimage its token (the macaroon sealed on the write-ahead
 *                                          row + the preimage) goes into the vault in the same
 *                                          transaction, so the resumed step delivers without paying
 *             failed / expired          -> void
 *             pending / accepted        -> keep, try again later
 *             NOT_FOUND                 -> keep while the invoice could still be paid; once it has been
 *                                          expired for `voidNotFoundAfterMs`, void it: an expired invoice
 *                                          can no longer be paid, and the wallet has no record of paying it
 *             no answer / other refusal -> keep, try again later
 *
 * Payments this process is paying right now are skipped (`isInFlight`), so a slow wallet call is
 * never settled from under its caller.
 *
 * With several instances on one database each payment is reconciled by one of them at a time: a pass
 * takes the payment's lease (`reconcile_payment`) before asking the wallet, skips a payment another live
 * instance holds, re-reads the row under the lease (another instance may have just finished it), and
 * confirms the lease right before settling. The settles stay guarded by the payment's status, so the
 * lease saves a second lookup; it is not what stops a second post.
 */
import type { PaymentRow } from '../../db/schema/payments';
import { createPeriodicJob, type HeldLease, type Leases } from '../background';
import type { WalletPort } from '../ports/wallet';
import type { PaymentRecords } from './payment-records';

export interface ReconcilerDeps {
  records: Pick<PaymentRecords, 'unresolved' | 'byId' | 'settlePaid' | 'settleFailed'>;
  walletFor: (userId: string) => Promise<WalletPort | null>;
  leases: Pick<Leases, 'withLease'>;
  now: () => number;
  isInFlight?: (paymentId: string) => boolean;
  /** How long a `reserved` row may wait for its `paying` mark (default 60 s). */
  reservedGraceMs?: number;
  /** How long after its invoice expired a payment the wallet does not know is voided (default 10 min). */
  voidNotFoundAfterMs?: number;
}

/**
 * How long after its invoice expired an outgoing payment the wallet does not know is taken as never
 * paid: "not found" right at the expiry may be a request the wallet has not reached yet, or a clock
 * ahead of the wallet's. Withdrawals wait as long (domain/wallet/wallet-sync.ts).
 */
export const VOID_NOT_FOUND_AFTER_MS = 10 * 60_000;

export type ReconcileAction = 'posted' | 'uncovered' | 'voided' | 'kept' | 'skipped';

export interface ReconcileReport {
  posted: string[];
  /** Posted late, beyond the person's funds: the shortfall shows as wallet drift (domain/wallet). */
  uncovered: string[];
  voided: string[];
  kept: string[];
}

export type Reconciler = ReturnType<typeof createReconciler>;

export function createReconciler(deps: ReconcilerDeps) {
  const settings = { reservedGraceMs: deps.reservedGraceMs ?? 60_000, voidNotFoundAfterMs: deps.voidNotFoundAfterMs ?? VOID_NOT_FOUND_AFTER_MS };

  async function pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { posted: [], uncovered: [], voided: [], kept: [] };
    for (const listed of deps.records.unresolved()) {
      if (deps.isInFlight?.(listed.id)) continue;
      const leased = await deps.leases.withLease('reconcile_payment', listed.id, async (held) => {
        const payment = deps.records.byId(listed.id);
        return payment && UNRESOLVED.has(payment.status) ? reconcileOne(deps, settings, payment, held) : 'skipped';
      });
      if (leased.ran && leased.value !== 'skipped') report[leased.value].push(listed.id);
    }
    return report;
  }

  // A call while a pass runs shares it: the pass re-reads every unresolved payment anyway.
  const job = createPeriodicJob(pass, 'coalesce');
  return {
    /** One pass over every unresolved payment. Overlapping calls share the pass that is running. */
    reconcileOnce: job.run,
    /** Reconciles now and then every `intervalMs`; `stop()` waits for a pass in progress. */
    start: (intervalMs: number, onError: (error: unknown) => void) => job.start(intervalMs, onError),
  };
}

const UNRESOLVED: ReadonlySet<PaymentRow['status']> = new Set(['reserved', 'paying']);

/** One payment, under its lease: what the wallet says decides, and the lease is confirmed before each settle. */
async function reconcileOne(
  deps: ReconcilerDeps,
  settings: { reservedGraceMs: number; voidNotFoundAfterMs: number },
  payment: PaymentRow,
  held: HeldLease,
): Promise<ReconcileAction> {
  const nowMs = deps.now();
  if (payment.status === 'reserved') {
    if (nowMs - payment.createdAtMs < settings.reservedGraceMs) return 'kept';
    return held.confirm() && deps.records.settleFailed(payment.id, 'never_sent', ['reserved']).settled ? 'voided' : 'skipped';
  }
  const wallet = await deps.walletFor(payment.userId);
  if (!wallet) return 'kept';
  const found = await wallet.lookupInvoice({ paymentHashHex: payment.paymentHash });
  if (!found.ok) {
    const expiredLongAgo = nowMs > payment.invoiceExpiresAtMs + settings.voidNotFoundAfterMs;
    if (found.outcome === 'refused' && found.reason === 'not_found' && expiredLongAgo) {
      return held.confirm() && deps.records.settleFailed(payment.id, 'expired_unpaid').settled ? 'voided' : 'skipped';
    }
    return 'kept';
  }
  const tx = found.value;
  if (tx.direction !== 'outgoing') return 'kept';
  if (tx.state === 'settled' || (tx.state === null && tx.preimageHex !== null)) {
    if (!held.confirm()) return 'skipped';
    const settled = deps.records.settlePaid(payment.id, { preimageHex: tx.preimageHex, feeMsat: tx.feesPaidMsat });
    if (!settled.settled) return 'skipped';
    return settled.uncoveredMsat > 0 ? 'uncovered' : 'posted';
  }
  if (tx.state === 'failed' || tx.state === 'expired') {
    return held.confirm() && deps.records.settleFailed(payment.id, `wallet_${tx.state}`).settled ? 'voided' : 'skipped';
  }
  return 'kept';
}
