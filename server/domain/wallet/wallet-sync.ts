/**
 * The periodic reconciliation of each person's ledger with their spending wallet. Per person:
 *
 * 1. Finish their receive and withdraw operations: lookup_invoice; a settled receipt is credited, a
 *    settled withdrawal posted, a failed one released, an unknown one kept (never paid again).
 * 2. Read the wallet's settled transactions since it became the spending wallet (list_transactions)
 *    and record what moved without Steward: money paid in from outside (`receipt`, source outside)
 *    and money paid out from outside (`withdrawal`, source outside). Steward's own payments, receipts,
 *    withdrawals and top-ups are recognised by payment hash. A transaction is left alone for
 *    `settleGraceMs` after it settled, so whoever started it records it first.
 * 3. Compare balances (reconciliation.ts). A difference it cannot explain raises one `wallet_drift`
 *    alert with the amounts, and no more until the difference changes.
 *
 * An outgoing payment the ledger can no longer cover (the person's available funds are below it) is
 * recorded as far as the funds go, and named `uncovered` once, with an alert: not an error on every pass.
 *
 * With several instances, each person is synced by one at a time: under the person's lease
 * (`sync_wallet`), confirmed after every wallet answer before anything is written.
 */
import { randomUUID } from 'node:crypto';
import { formatSats, msat, type Msat } from '../../../shared/money';
import type { WalletRepository } from '../../db/repositories/wallet-repository';
import type { WalletOperationRow } from '../../db/schema/wallet';
import type { AlertInput } from '../alerts';
import { createPeriodicJob, type HeldLease, type Leases } from '../background';
import { lightningAccount, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import { VOID_NOT_FOUND_AFTER_MS } from '../payments';
import type { WalletPort, WalletTransaction } from '../ports/wallet';
import { creditReceipt } from './receive';
import { reconcileBalances, type Reconciliation } from './reconciliation';
import { settleWithdrawalFailed, settleWithdrawalPaid } from './withdraw';

export interface WalletSyncDeps {
  repo: Pick<WalletRepository, 'usersWithWallets' | 'unfinished' | 'transition' | 'operation' | 'operationByHash' | 'isKnownPaymentHash' | 'syncOf' | 'recordCheck' | 'insertOperation'>;
  ledger: Pick<Ledger, 'transfer' | 'userBalances' | 'balanceMsat'>;
  walletFor: (userId: string) => Promise<WalletPort | null>;
  notify: (userId: string, alert: AlertInput) => void;
  transaction: <T>(fn: () => T) => T;
  leases: Pick<Leases, 'withLease'>;
  now: () => number;
  /** How long after settling a transaction is left to whoever started it (default 5 min). */
  settleGraceMs?: number;
  /** How long a withdrawal may stay `reserved` (never sent) before it is released (default 60 s). */
  reservedGraceMs?: number;
}

export type OutsideMovement = 'recorded_incoming' | 'recorded_outgoing' | 'uncovered_outgoing';
export interface UserSyncReport {
  userId: string;
  operations: { settled: string[]; failed: string[] };
  outside: { paymentHash: string; outcome: OutsideMovement; amountMsat: Msat }[];
  reconciliation: Reconciliation | null;
  driftAlerted: boolean;
}

const LIST_LIMIT = 100;

async function finishOperation(deps: WalletSyncDeps, wallet: WalletPort, op: WalletOperationRow, report: UserSyncReport, held: HeldLease): Promise<void> {
  const nowMs = deps.now();
  if (op.kind === 'withdraw' && op.status === 'reserved') {
    if (nowMs - op.createdAtMs >= (deps.reservedGraceMs ?? 60_000) && settleWithdrawalFailed(deps, op, 'never_sent')) report.operations.failed.push(op.id);
    return;
  }
  const found = await wallet.lookupInvoice({ paymentHashHex: op.paymentHash });
  if (!held.confirm()) return;
  if (!found.ok) {
    const notFound = found.outcome === 'refused' && found.reason === 'not_found';
    // An unknown withdrawal is released only well past its expiry, as payments are (reconciler.ts).
    if (notFound && op.kind === 'withdraw' && nowMs > op.expiresAtMs + VOID_NOT_FOUND_AFTER_MS && settleWithdrawalFailed(deps, op, 'expired_unpaid')) report.operations.failed.push(op.id);
    if (notFound && op.kind === 'receive' && nowMs > op.expiresAtMs) deps.repo.transition(op.id, ['open'], { status: 'expired', failureReason: 'unpaid' });
    return;
  }
  const tx = found.value;
  if (tx.state === 'settled') {
    if (op.kind === 'receive') creditReceipt(deps, op, tx.amountMsat, (tx.settledAtSec ?? Math.floor(nowMs / 1000)) * 1000);
    else settleWithdrawalPaid(deps, op, tx.feesPaidMsat);
    report.operations.settled.push(op.id);
  } else if (tx.state === 'failed' || (tx.state === 'expired' && op.kind === 'withdraw')) {
    if (op.kind === 'withdraw' && settleWithdrawalFailed(deps, op, `wallet_${tx.state}`)) report.operations.failed.push(op.id);
  } else if (op.kind === 'receive' && nowMs > op.expiresAtMs) {
    deps.repo.transition(op.id, ['open'], { status: 'expired', failureReason: 'unpaid' });
  }
}

/** Records one settled wallet transaction Steward did not start; null when it is Steward's own. */
function recordOutside(deps: WalletSyncDeps, userId: string, tx: WalletTransaction): UserSyncReport['outside'][number] | null {
  const receive = tx.direction === 'incoming' ? deps.repo.operationByHash('receive', tx.paymentHashHex) : undefined;
  if (receive && receive.userId === userId) {
    if (receive.status !== 'settled') creditReceipt(deps, receive, tx.amountMsat, (tx.settledAtSec ?? 0) * 1000);
    return null;
  }
  if (deps.repo.isKnownPaymentHash(tx.paymentHashHex)) return null;
  const metadata = { userId, paymentHash: tx.paymentHashHex, source: 'outside' };
  if (tx.direction === 'incoming') {
    const credited = deps.ledger.transfer({ idempotencyKey: `outside-in:${tx.paymentHashHex}`, debit: lightningAccount, credit: userAvailableAccount(userId), amountMsat: tx.amountMsat, reason: 'receipt', metadata });
    if (!credited.ok) throw new Error(`recording an outside receipt failed: ${credited.reason}`);
    return { paymentHash: tx.paymentHashHex, outcome: 'recorded_incoming', amountMsat: tx.amountMsat };
  }
  const spentMsat = msat(tx.amountMsat + tx.feesPaidMsat);
  const coveredMsat = msat(Math.min(spentMsat, deps.ledger.userBalances(userId).availableMsat));
  deps.transaction(() => {
    if (coveredMsat > 0) {
      const debited = deps.ledger.transfer({ idempotencyKey: `outside-out:${tx.paymentHashHex}`, debit: userAvailableAccount(userId), credit: lightningAccount, amountMsat: coveredMsat, reason: 'withdrawal', metadata: { ...metadata, spentMsat } });
      if (!debited.ok) throw new Error(`recording an outside payment failed: ${debited.reason}`);
    } else {
      // Nothing left to take, so no ledger movement names the hash: this row makes it known, so the
      // payment is named once, not found again on every pass.
      deps.repo.insertOperation(outsideMarker(userId, tx, deps.now()));
    }
  });
  return { paymentHash: tx.paymentHashHex, outcome: coveredMsat < spentMsat ? 'uncovered_outgoing' : 'recorded_outgoing', amountMsat: spentMsat };
}

function outsideMarker(userId: string, tx: WalletTransaction, nowMs: number): WalletOperationRow {
  return {
    id: randomUUID(),
    userId,
    kind: 'withdraw',
    status: 'settled',
    paymentHash: tx.paymentHashHex,
    invoice: tx.invoice ?? '',
    amountMsat: tx.amountMsat,
    feeAllowanceMsat: 0,
    feeMsat: tx.feesPaidMsat,
    failureReason: 'outside_uncovered',
    expiresAtMs: (tx.expiresAtSec ?? tx.createdAtSec) * 1000,
    createdAtMs: nowMs,
    settledAtMs: (tx.settledAtSec ?? Math.floor(nowMs / 1000)) * 1000,
  };
}

function outsideAlert(movement: UserSyncReport['outside'][number]): AlertInput {
  const amount = formatSats(movement.amountMsat);
  const texts: Record<OutsideMovement, [string, string]> = {
    recorded_incoming: ['Money arrived in your wallet', `${amount} reached your spending wallet from outside Steward; it is now in your balance.`],
    recorded_outgoing: ['Money left your wallet', `${amount} was paid from your spending wallet outside Steward; your balance was lowered by it.`],
    uncovered_outgoing: ['A payment outside Steward exceeded your balance', `${amount} was paid from your spending wallet outside Steward, more than your balance held. Add funds before the agent spends again.`],
  };
  const [title, body] = texts[movement.outcome];
  return {
    kind: 'wallet_movement',
    title,
    body,
    severity: movement.outcome === 'uncovered_outgoing' ? 'critical' : 'info',
    data: { paymentHash: movement.paymentHash, amountMsat: movement.amountMsat, outcome: movement.outcome },
    dedupeKey: `wallet-outside:${movement.paymentHash}`,
  };
}

function driftAlert(reconciliation: Reconciliation): AlertInput {
  const difference = formatSats(msat(Math.abs(reconciliation.differenceMsat)));
  const direction = reconciliation.differenceMsat > 0 ? 'more' : 'less';
  return {
    kind: 'wallet_drift',
    title: 'Your wallet and your ledger disagree',
    body: `Your wallet holds ${formatSats(reconciliation.walletMsat)}, ${difference} ${direction} than the ${formatSats(reconciliation.ledgerTotalMsat)} Steward's ledger records, and no movement explains it.`,
    severity: 'warning',
    data: { walletMsat: reconciliation.walletMsat, ledgerMsat: reconciliation.ledgerTotalMsat, differenceMsat: reconciliation.differenceMsat },
    dedupeKey: `wallet-drift:${reconciliation.differenceMsat}:${reconciliation.walletMsat}`,
  };
}

/** Settled transactions since the wallet became the spending wallet, old enough to be judged. */
async function settledSince(deps: WalletSyncDeps, wallet: WalletPort, sinceMs: number): Promise<WalletTransaction[] | null> {
  const listed = await wallet.listTransactions({ fromSec: Math.floor(sinceMs / 1000), limit: LIST_LIMIT });
  if (!listed.ok) return null;
  const ripeBeforeSec = (deps.now() - (deps.settleGraceMs ?? 5 * 60_000)) / 1000;
  return listed.value.transactions.filter((tx) => tx.state === 'settled' && tx.settledAtSec !== null && tx.settledAtSec <= ripeBeforeSec);
}

/** One person, under their lease: stops, leaving the rest to the lease's new holder, once it is lost. */
async function syncUser(deps: WalletSyncDeps, userId: string, held: HeldLease): Promise<UserSyncReport | null> {
  const wallet = await deps.walletFor(userId);
  if (!wallet) return null;
  const report: UserSyncReport = { userId, operations: { settled: [], failed: [] }, outside: [], reconciliation: null, driftAlerted: false };
  for (const op of deps.repo.unfinished(userId)) await finishOperation(deps, wallet, op, report, held);
  const sync = deps.repo.syncOf(userId);
  const settled = await settledSince(deps, wallet, sync?.sinceMs ?? 0);
  if (!held.confirm()) return report;
  for (const tx of settled ?? []) {
    const movement = recordOutside(deps, userId, tx);
    if (movement) {
      report.outside.push(movement);
      deps.notify(userId, outsideAlert(movement));
    }
  }
  const balance = await wallet.getBalance();
  if (!held.confirm()) return report;
  // Only a complete picture is compared: with the history unread, a drift could be a movement not yet recorded.
  if (!balance.ok || settled === null) return report;
  const { availableMsat, reservedMsat } = deps.ledger.userBalances(userId);
  const withdrawingMsat = deps.ledger.balanceMsat(userWithdrawingAccount(userId));
  const reconciliation = reconcileBalances({ availableMsat, heldMsat: msat(reservedMsat + withdrawingMsat), walletMsat: balance.value.balanceMsat });
  report.reconciliation = reconciliation;
  const drifting = reconciliation.status === 'wallet_ahead' || reconciliation.status === 'wallet_behind';
  const driftMsat = drifting ? reconciliation.differenceMsat : null;
  if (drifting && sync?.lastDriftMsat !== driftMsat) {
    deps.notify(userId, driftAlert(reconciliation));
    report.driftAlerted = true;
  }
  deps.repo.recordCheck(userId, deps.now(), driftMsat);
  return report;
}

export function createWalletSync(deps: WalletSyncDeps) {
  /** One person, unless another instance is syncing them (then null, as for a person without a wallet). */
  async function leasedSync(userId: string, withDeps: WalletSyncDeps): Promise<UserSyncReport | null> {
    const leased = await deps.leases.withLease('sync_wallet', userId, (held) => syncUser(withDeps, userId, held));
    return leased.ran ? leased.value : null;
  }

  async function pass(): Promise<UserSyncReport[]> {
    const reports: UserSyncReport[] = [];
    for (const userId of deps.repo.usersWithWallets()) {
      const report = await leasedSync(userId, deps);
      if (report) reports.push(report);
    }
    return reports;
  }

  // A call while a pass runs shares it: the pass re-reads everybody anyway.
  const job = createPeriodicJob(pass, 'coalesce');
  return {
    /** One pass over everybody; overlapping calls share the pass that is running. */
    syncOnce: job.run,
    /** One person now; `overrides` (tests) may shorten the grace left to whoever started a payment. */
    syncUser: (userId: string, overrides: Pick<WalletSyncDeps, 'settleGraceMs'> = {}) => leasedSync(userId, { ...deps, ...overrides }),
    /** The first pass comes one interval after start. */
    start: (intervalMs: number, onError: (error: unknown) => void) => job.start(intervalMs, onError, { firstPass: 'after_interval' }),
  };
}
