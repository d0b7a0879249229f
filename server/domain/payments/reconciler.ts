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
 */
import type { PaymentRow } from '../../db/schema/payments';
import type { WalletPort } from '../ports/wallet';
import type { PaymentRecords } from './payment-records';

export interface ReconcilerDeps {
  records: Pick<PaymentRecords, 'unresolved' | 'settlePaid' | 'settleFailed'>;
  walletFor: (userId: string) => Promise<WalletPort | null>;
  now: () => number;
  isInFlight?: (paymentId: string) => boolean;
  /** How long a `reserved` row may wait for its `paying` mark (default 60 s). */
  reservedGraceMs?: number;
  /** How long after its invoice expired a payment the wallet does not know is voided (default 10 min). */
  voidNotFoundAfterMs?: number;
}

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
  const reservedGraceMs = deps.reservedGraceMs ?? 60_000;
  const voidNotFoundAfterMs = deps.voidNotFoundAfterMs ?? 10 * 60_000;
  let running: Promise<ReconcileReport> | null = null;

  async function reconcileOne(payment: PaymentRow): Promise<ReconcileAction> {
    if (deps.isInFlight?.(payment.id)) return 'skipped';
    const nowMs = deps.now();
    if (payment.status === 'reserved') {
      if (nowMs - payment.createdAtMs < reservedGraceMs) return 'kept';
      return deps.records.settleFailed(payment.id, 'never_sent', ['reserved']).settled ? 'voided' : 'skipped';
    }
    const wallet = await deps.walletFor(payment.userId);
    if (!wallet) return 'kept';
    const found = await wallet.lookupInvoice({ paymentHashHex: payment.paymentHash });
    if (!found.ok) {
      const expiredLongAgo = nowMs > payment.invoiceExpiresAtMs + voidNotFoundAfterMs;
      if (found.outcome === 'refused' && found.reason === 'not_found' && expiredLongAgo) {
        return deps.records.settleFailed(payment.id, 'expired_unpaid').settled ? 'voided' : 'skipped';
      }
      return 'kept';
    }
    const tx = found.value;
    if (tx.direction !== 'outgoing') return 'kept';
    if (tx.state === 'settled' || (tx.state === null && tx.preimageHex !== null)) {
      const settled = deps.records.settlePaid(payment.id, { preimageHex: tx.preimageHex, feeMsat: tx.feesPaidMsat });
      if (!settled.settled) return 'skipped';
      return settled.uncoveredMsat > 0 ? 'uncovered' : 'posted';
    }
    if (tx.state === 'failed' || tx.state === 'expired') {
      return deps.records.settleFailed(payment.id, `wallet_${tx.state}`).settled ? 'voided' : 'skipped';
    }
    return 'kept';
  }

  async function pass(): Promise<ReconcileReport> {
    const report: ReconcileReport = { posted: [], uncovered: [], voided: [], kept: [] };
    for (const payment of deps.records.unresolved()) {
      const action = await reconcileOne(payment);
      if (action !== 'skipped') report[action].push(payment.id);
    }
    return report;
  }

  /** One pass over every unresolved payment. Overlapping calls share the pass that is running. */
  function reconcileOnce(): Promise<ReconcileReport> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  /** Reconciles now and then every `intervalMs`; `stop()` waits for a pass in progress. */
  function start(intervalMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
    const tick = () => void reconcileOnce().catch(onError);
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await running?.catch(() => undefined);
      },
    };
  }

  return { reconcileOnce, start };
}
