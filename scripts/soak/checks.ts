/**
 * What a soak run must find true at the end, as small pure functions over what the stores hold
 * (read by stores.ts) and what the soak itself did (its log of settings changes). Each returns the
 * violations it found, named by kind with enough detail to find the rows; none throws on a violation.
 */
import { periodFor } from '../../server/domain/governance/period';
import { reconcileBalances } from '../../server/domain/wallet/reconciliation';
import { msat } from '../../shared/money';

export type ViolationKind =
  | 'ledger_invariant'
  | 'usage_totals_drift'
  | 'wallet_disagrees_with_ledger'
  | 'wallet_unreadable'
  | 'monthly_budget_exceeded'
  | 'task_cap_exceeded'
  | 'invoice_paid_twice'
  | 'step_paid_twice'
  | 'paid_in_ledger_not_in_wallet'
  | 'paid_in_wallet_not_in_ledger'
  | 'payment_amount_mismatch'
  | 'unclean_shutdown'
  | 'server_crashed';

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

const violation = (kind: ViolationKind, detail: string): Violation => ({ kind, detail });

/** Map.groupBy, which Node 20 lacks. */
function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

// ---- ledger ------------------------------------------------------------------------------------

/** Runs an audit that throws on a broken invariant (the ledger's checkInvariants) and names what it threw. */
export function auditViolations(kind: 'ledger_invariant' | 'usage_totals_drift', audit: () => void): Violation[] {
  try {
    audit();
    return [];
  } catch (error) {
    return [violation(kind, error instanceof Error ? error.message : String(error))];
  }
}

// ---- wallets -----------------------------------------------------------------------------------

export interface WalletView {
  userId: string;
  /** The ledger's view: what the person may spend, and what pending spends hold. */
  availableMsat: number;
  heldMsat: number;
  /** What the wallet says it holds, from each source read; null when that source could not answer. */
  walletMsat: Record<string, number | null>;
}

/** Every wallet, as every source reports it, holds exactly what the ledger says (available + held). */
export function checkWallets(views: readonly WalletView[]): Violation[] {
  const found: Violation[] = [];
  for (const view of views) {
    for (const [source, walletMsat] of Object.entries(view.walletMsat)) {
      if (walletMsat === null) {
        found.push(violation('wallet_unreadable', `user ${view.userId}: ${source} gave no balance`));
        continue;
      }
      const verdict = reconcileBalances({ availableMsat: msat(view.availableMsat), heldMsat: msat(view.heldMsat), walletMsat: msat(walletMsat) });
      // After a clean stop nothing is being paid, so "settling" (paid by the wallet, still held by the
      // ledger) is a difference too. A hold the wallet never paid (a payment whose outcome the
      // reconciler is still waiting to learn) keeps the totals equal: that agrees.
      if (verdict.status !== 'agree') {
        found.push(
          violation(
            'wallet_disagrees_with_ledger',
            `user ${view.userId}: ${source} says ${walletMsat} msat, ledger ${view.availableMsat} available + ${view.heldMsat} held (${verdict.status})`,
          ),
        );
      }
    }
  }
  return found;
}

// ---- budgets -----------------------------------------------------------------------------------

/** A ledger reservation with its resolution, if any (ids are commit order: one database, one writer). */
export interface ReservationRecord {
  id: number;
  userId: string;
  taskId: string | null;
  createdAtMs: number;
  amountMsat: number;
  /** Set on the charges booked after the fact (fee overrun, late settlement), which skip the budget check. */
  charge: string | null;
  resolution: { id: number; kind: 'post' | 'void' | 'expire'; amountMsat: number; feeMsat: number } | null;
}

export interface CreditRecord {
  ledgerTransferId: number;
  userId: string;
  periodKey: string;
  taskId: string | null;
  amountMsat: number;
}

/**
 * One settings change the soak sent, with what it knows of the outcome. `unknown`: no answer (the server
 * was killed mid-request), so it may or may not have been saved. Limits in msat; null = none.
 */
export interface LimitChange {
  userId: string;
  sentAtMs: number;
  answeredAtMs: number | null;
  outcome: 'saved' | 'refused' | 'unknown';
  monthlyLimitMsat: number | null;
  taskCapMsat: number | null;
}

/** An approval with an authorized overage, from the moment it was approved. */
export interface OverageGrant {
  userId: string;
  taskId: string;
  approvedAtMs: number;
  overageMsat: number;
}

export interface BudgetInput {
  reservations: readonly ReservationRecord[];
  credits: readonly CreditRecord[];
  timeZoneOf: (userId: string) => string;
  changes: readonly LimitChange[];
  overages: readonly OverageGrant[];
}

/**
 * The most a limit could have been at `atMs`, given the changes sent: the last change known saved by
 * then, or any sent since whose outcome was not yet (or never) known. Null: possibly no limit at all.
 * A person starts with no monthly limit and no task cap.
 */
export function mostPermissiveLimit(changes: readonly LimitChange[], atMs: number, field: 'monthlyLimitMsat' | 'taskCapMsat'): number | null {
  let possible: (number | null)[] = [null];
  for (const change of [...changes].sort((a, b) => a.sentAtMs - b.sentAtMs)) {
    if (change.sentAtMs > atMs || change.outcome === 'refused') continue;
    const settled = change.outcome === 'saved' && change.answeredAtMs !== null && change.answeredAtMs <= atMs;
    possible = settled ? [change[field]] : [...possible, change[field]];
  }
  return possible.some((limit) => limit === null) ? null : Math.max(...(possible as number[]));
}

/** What an earlier reservation counts for at the moment a later one (`atId`) was committed. */
function countedAt(reservation: ReservationRecord, atId: number): number {
  const resolution = reservation.resolution;
  if (resolution === null || resolution.id > atId) return reservation.amountMsat;
  return resolution.kind === 'post' ? resolution.amountMsat + resolution.feeMsat : 0;
}

function describe(r: ReservationRecord): string {
  return `reservation ${r.id} of user ${r.userId}${r.taskId ? ` (task ${r.taskId})` : ''}${r.charge ? ` [${r.charge} charge]` : ''}`;
}

/**
 * No reservation took a month's usage (posted + pending + fee reserve - credits, reservations counted
 * in the month they were made) past the monthly limit plus the overage authorized for its task, nor a
 * task's usage past its task cap, as those limits could have stood when it was committed.
 */
export function checkBudgets(input: BudgetInput): Violation[] {
  const found: Violation[] = [];
  const byUser = groupBy(input.reservations, (r) => r.userId);
  for (const [userId, reservations] of byUser) {
    const timeZone = input.timeZoneOf(userId);
    const changes = input.changes.filter((c) => c.userId === userId);
    const periodKeyOf = (r: ReservationRecord) => periodFor(new Date(r.createdAtMs), timeZone).periodKey;
    for (const r of reservations) {
      const monthly = monthlyViolation(input, r, reservations, changes, periodKeyOf);
      if (monthly) found.push(monthly);
      const task = taskCapViolation(r, reservations, changes);
      if (task) found.push(task);
    }
  }
  return found;
}

function monthlyViolation(
  input: BudgetInput,
  r: ReservationRecord,
  reservations: readonly ReservationRecord[],
  changes: readonly LimitChange[],
  periodKeyOf: (r: ReservationRecord) => string,
): Violation | null {
  const limit = mostPermissiveLimit(changes, r.createdAtMs, 'monthlyLimitMsat');
  if (limit === null) return null;
  const periodKey = periodKeyOf(r);
  const gross = reservations.filter((o) => o.id <= r.id && periodKeyOf(o) === periodKey).reduce((sum, o) => sum + countedAt(o, r.id), 0);
  const credited = input.credits
    .filter((c) => c.userId === r.userId && c.periodKey === periodKey && c.ledgerTransferId < r.id)
    .reduce((sum, c) => sum + c.amountMsat, 0);
  const used = Math.max(0, gross - credited);
  const overage = Math.max(
    0,
    ...input.overages.filter((g) => g.userId === r.userId && g.taskId === r.taskId && g.approvedAtMs <= r.createdAtMs).map((g) => g.overageMsat),
  );
  if (used <= limit + overage) return null;
  return violation('monthly_budget_exceeded', `${describe(r)}: month ${periodKey} used ${used} msat, limit ${limit} + authorized overage ${overage}`);
}

function taskCapViolation(r: ReservationRecord, reservations: readonly ReservationRecord[], changes: readonly LimitChange[]): Violation | null {
  if (r.taskId === null) return null;
  const cap = mostPermissiveLimit(changes, r.createdAtMs, 'taskCapMsat');
  if (cap === null) return null;
  const used = reservations.filter((o) => o.id <= r.id && o.taskId === r.taskId).reduce((sum, o) => sum + countedAt(o, r.id), 0);
  if (used <= cap) return null;
  return violation('task_cap_exceeded', `${describe(r)}: task used ${used} msat, cap ${cap}`);
}

// ---- payments ----------------------------------------------------------------------------------

/** Statuses in which a payment has moved money or may be moving it. */
const SPENDING_STATUSES: ReadonlySet<string> = new Set(['reserved', 'paying', 'paid', 'paid_unusable']);
const PAID_STATUSES: ReadonlySet<string> = new Set(['paid', 'paid_unusable']);

export interface AppPayment {
  id: string;
  userId: string;
  paymentHash: string;
  idempotencyKey: string;
  status: string;
  amountMsat: number;
  feeMsat: number | null;
}

/** A payment the simulated Lightning network settled: which node paid which invoice. */
export interface WalletPayment {
  paymentHash: string;
  payerNode: string;
  amountMsat: number;
  feeMsat: number;
}

export interface StepRecord {
  taskId: string;
  stepId: string;
  idempotencyKey: string;
  paymentId: string | null;
}

/** The wallet node that pays for a person (the sandbox names it after them). */
export const userNode = (userId: string) => `user:${userId}`;

/** No invoice was paid twice: not by the wallets, and not in the app's records. */
export function checkInvoicesPaidOnce(app: readonly AppPayment[], wallet: readonly WalletPayment[]): Violation[] {
  const found: Violation[] = [];
  for (const [hash, paid] of groupBy(wallet, (p) => p.paymentHash)) {
    if (paid.length > 1) found.push(violation('invoice_paid_twice', `invoice ${hash} settled ${paid.length} times by the wallets`));
  }
  for (const [hash, rows] of groupBy(app.filter((p) => SPENDING_STATUSES.has(p.status)), (p) => p.paymentHash)) {
    if (rows.length > 1) found.push(violation('invoice_paid_twice', `invoice ${hash} has ${rows.length} payments: ${rows.map((p) => p.id).join(', ')}`));
  }
  return found;
}

/** No step of a task spent twice: one payment at most under its key (or a key derived from it). */
export function checkStepsPaidOnce(steps: readonly StepRecord[], app: readonly AppPayment[]): Violation[] {
  const found: Violation[] = [];
  const spending = app.filter((p) => SPENDING_STATUSES.has(p.status));
  for (const step of steps) {
    const linked = spending.filter((p) => p.idempotencyKey === step.idempotencyKey || p.idempotencyKey.startsWith(`${step.idempotencyKey}:`) || p.id === step.paymentId);
    if (linked.length > 1) {
      found.push(violation('step_paid_twice', `task ${step.taskId} step ${step.stepId}: payments ${linked.map((p) => `${p.id} (${p.status})`).join(', ')}`));
    }
  }
  return found;
}

/**
 * The app's paid payments and the wallets' settled payments are the same set, with the same amounts:
 * nothing the ledger counts as paid was not paid, and nothing left a person's wallet unrecorded.
 */
export function checkPaymentsMatchWallets(app: readonly AppPayment[], wallet: readonly WalletPayment[], userIds: readonly string[]): Violation[] {
  const found: Violation[] = [];
  const settled = new Map(wallet.map((p) => [p.paymentHash, p]));
  for (const payment of app.filter((p) => PAID_STATUSES.has(p.status))) {
    const paid = settled.get(payment.paymentHash);
    if (!paid || paid.payerNode !== userNode(payment.userId)) {
      found.push(violation('paid_in_ledger_not_in_wallet', `payment ${payment.id} (${payment.status}) of user ${payment.userId}: no settlement of ${payment.paymentHash} by their wallet`));
    } else if (paid.amountMsat !== payment.amountMsat || paid.feeMsat !== payment.feeMsat) {
      found.push(
        violation('payment_amount_mismatch', `payment ${payment.id}: app ${payment.amountMsat} + fee ${payment.feeMsat}, wallet ${paid.amountMsat} + fee ${paid.feeMsat}`),
      );
    }
  }
  const recorded = new Map(app.filter((p) => PAID_STATUSES.has(p.status)).map((p) => [p.paymentHash, p]));
  const people = new Set(userIds.map(userNode));
  for (const paid of wallet.filter((p) => people.has(p.payerNode))) {
    if (!recorded.has(paid.paymentHash)) {
      found.push(violation('paid_in_wallet_not_in_ledger', `${paid.payerNode} settled ${paid.paymentHash} (${paid.amountMsat} msat) with no paid payment in the app`));
    }
  }
  return found;
}
