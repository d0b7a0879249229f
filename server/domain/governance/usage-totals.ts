// Budget usage kept as typed totals (governance_*_usage), by the one rule in budget.ts: every
// reservation, resolution and refund credit adds usageChange(before, after) to the totals it counts
// in, inside the ledger transaction that writes it (the ledger calls `observer`). A budget check then
// reads three rows by primary key, whatever the size of the ledger or the month.
//
// A reservation counts in the window it was MADE in, whenever it is posted: the check that let it
// through charged it to that window, and moving it at post time could overshoot the next one. Month
// windows are created by the first budget check in them (from a scan of the window's reservations),
// so a person's first check in a month, or in a new time zone, scans once; later ones read totals.
import type {
  CreditUsageRow,
  GovernanceRepository,
  ReservationUsageRow,
  StoredTotals,
  UsageQuery,
  UsageScope,
  UsageWindow,
} from '../../db/repositories/governance-repository';
import type { MoneyLimit } from '../../../shared/governance';
import { msat } from '../../../shared/money';
import type { ObservedReservation, ObservedResolution, ReservationObserver } from '../ledger';
import { addUsage, EMPTY_USAGE, refundCreditUsage, reservationUsage, usageChange, type BudgetUsage } from './budget';
import { requestAttribution, reservationAttribution } from './budget-precondition';

export interface UsageBreakdown {
  month: BudgetUsage;
  service: BudgetUsage;
  task: BudgetUsage;
}
/** A stored total that differs from its recomputation: the stored row, the recomputed one, or both. */
export interface UsageTotalsDrift {
  table: 'month' | 'service' | 'task';
  side: 'stored' | 'recomputed';
  row: Record<string, unknown>;
}

/** One reservation with what it adds to usage now and where it counts. */
interface Spend {
  userId: string;
  atMs: number;
  serviceId: string | null;
  taskId: string | null;
  usage: BudgetUsage;
}

type Attribution = ReturnType<typeof reservationAttribution>;

/**
 * Stored metadata is read through zod (reservationAttribution); JSON.parse only turns text into a
 * value. `seen` memoises the reading by metadata text for scans, where many rows share it.
 */
function spendOf(row: ReservationUsageRow, seen?: Map<string, Attribution>): Spend {
  const memoKey = `${row.amountMsat}:${row.metadataJson ?? ''}`;
  let attribution = seen?.get(memoKey);
  if (attribution === undefined) {
    const metadata: unknown = row.metadataJson === null ? null : JSON.parse(row.metadataJson);
    attribution = reservationAttribution(metadata, msat(row.amountMsat));
    seen?.set(memoKey, attribution);
  }
  const resolution =
    row.resolutionKind === null
      ? null
      : { kind: row.resolutionKind, amountMsat: row.resolutionAmountMsat, feeMsat: row.resolutionFeeMsat };
  return {
    userId: row.userId,
    atMs: row.atMs,
    serviceId: attribution.serviceId,
    taskId: attribution.taskId,
    usage: reservationUsage({ amountMsat: row.amountMsat, feeReserveMsat: attribution.feeReserveMsat, resolution }),
  };
}

function creditAsSpend(credit: CreditUsageRow): Spend {
  return { userId: credit.userId, atMs: credit.reservedAtMs, serviceId: credit.serviceId, taskId: credit.taskId, usage: refundCreditUsage(msat(credit.amountMsat)) };
}

function sumWhere(spends: readonly Spend[], counts: (spend: Spend) => boolean): BudgetUsage {
  return spends.reduce((total, spend) => (counts(spend) ? addUsage(total, spend.usage) : total), EMPTY_USAGE);
}

const inWindow = (spend: Spend, window: { startsAtMs: number; endsAtMs: number }) =>
  spend.atMs >= window.startsAtMs && spend.atMs < window.endsAtMs;

/** `made`: the reservation is being made, and its metadata is the request's own (else read back from its row). */
function observedScope(reservation: ObservedReservation, made: boolean) {
  const attribution = (made ? requestAttribution : reservationAttribution)(reservation.metadata, reservation.amountMsat);
  const scope: UsageScope = { userId: reservation.userId, atMs: reservation.createdAtMs, serviceId: attribution.serviceId, taskId: attribution.taskId };
  return { scope, pending: reservationUsage({ amountMsat: reservation.amountMsat, feeReserveMsat: attribution.feeReserveMsat, resolution: null }), attribution };
}

function figuresOf(row: BudgetUsage): BudgetUsage {
  return { postedMsat: row.postedMsat, pendingMsat: row.pendingMsat, feeReserveMsat: row.feeReserveMsat, refundCreditMsat: row.refundCreditMsat };
}

/**
 * Usage from the stored totals when they cover exactly this query: the month window exists, and the
 * task's reservations all fall in [task start, period end). Undefined when they do not.
 */
function fromTotals(query: UsageQuery, stored: StoredTotals): UsageBreakdown | undefined {
  const { task, period } = query;
  if (stored.month === null) return undefined;
  // No task row: the task never reserved (each reservation with a task id makes one), so it used nothing.
  const taskCovered =
    task === null || stored.task === null || (stored.task.firstAtMs >= task.startedAtMs && stored.task.lastAtMs < period.endsAtMs);
  if (!taskCovered) return undefined;
  return {
    month: stored.month,
    // No service row in an existing window: nothing was reserved for that service in it.
    service: stored.service ?? EMPTY_USAGE,
    task: task === null || stored.task === null ? EMPTY_USAGE : figuresOf(stored.task),
  };
}

export type UsageTotalsKeeper = ReturnType<typeof createUsageTotals>;

/** The person's reservations and credits in [fromMs, toMs) as spends. */
function spendsBetween(repository: GovernanceRepository, userId: string, fromMs: number, toMs: number): Spend[] {
  return [
    ...repository.reservations({ userId, fromMs, toMs }).map((row) => spendOf(row)),
    ...repository.credits({ userId, fromMs, toMs }).map(creditAsSpend),
  ];
}

/** Usage by its definition, from the reservations themselves. */
function scanned(repository: GovernanceRepository, query: UsageQuery): UsageBreakdown {
  const { period, task } = query;
  const taskStartedAtMs = task?.startedAtMs ?? period.startsAtMs;
  const spends = spendsBetween(repository, query.userId, Math.min(period.startsAtMs, taskStartedAtMs), period.endsAtMs);
  const month = (spend: Spend) => inWindow(spend, period);
  return {
    month: sumWhere(spends, month),
    service: sumWhere(spends, (spend) => month(spend) && spend.serviceId === query.serviceId),
    task: sumWhere(spends, (spend) => task !== null && spend.taskId === task.id && spend.atMs >= taskStartedAtMs && spend.atMs < period.endsAtMs),
  };
}

/** A new window's month total and one total per service spent on in it. */
function windowTotals(repository: GovernanceRepository, window: UsageWindow) {
  const spends = spendsBetween(repository, window.userId, window.startsAtMs, window.endsAtMs);
  const services = new Map<string, BudgetUsage>();
  for (const spend of spends) {
    if (spend.serviceId !== null) services.set(spend.serviceId, addUsage(services.get(spend.serviceId) ?? EMPTY_USAGE, spend.usage));
  }
  return { month: sumWhere(spends, () => true), services };
}

export function createUsageTotals(repository: GovernanceRepository) {
  const observer: ReservationObserver = {
    reserved(reservation: ObservedReservation): void {
      const { scope, pending } = observedScope(reservation, true);
      repository.addToTotals(scope, usageChange(EMPTY_USAGE, pending), true);
    },
    resolved(reservation: ObservedReservation, resolution: ObservedResolution): void {
      const { scope, pending, attribution } = observedScope(reservation, false);
      const after = reservationUsage({ amountMsat: reservation.amountMsat, feeReserveMsat: attribution.feeReserveMsat, resolution });
      repository.addToTotals(scope, usageChange(pending, after), false);
    },
  };

  return {
    /** Give this to createLedger: it keeps the totals in step with the ledger, in its transactions. */
    observer,

    /** Month, service and task usage: from the totals when they cover this query, else by a scan. */
    usage(query: UsageQuery): UsageBreakdown {
      return fromTotals(query, repository.readTotals(query)) ?? scanned(repository, query);
    },

    /**
     * What the budget check does in the database, under the reservation's write lock: usage, and the
     * period recorded for history (written only when new or its limit changed, which the same read
     * tells). The first check in a window creates its totals from one scan.
     */
    usageForReservation(query: UsageQuery, record: { timeZone: string; limit: MoneyLimit | null; nowMs: number }): UsageBreakdown {
      let stored = repository.readTotals(query);
      if (stored.month === null) {
        const window = { userId: query.userId, startsAtMs: query.period.startsAtMs, endsAtMs: query.period.endsAtMs };
        repository.createWindow(window, () => windowTotals(repository, window));
        stored = repository.readTotals(query);
      }
      const limitJson = record.limit === null ? null : JSON.stringify(record.limit);
      if (!stored.periodRecorded || stored.periodLimitJson !== limitJson) {
        repository.recordPeriod(query, { timeZone: record.timeZone, limitJson, nowMs: record.nowMs });
      }
      return fromTotals(query, stored) ?? scanned(repository, query);
    },

    /** Counts a refund credit (recorded once per ledger transfer) where its spend counted; true if new. */
    recordRefundCredit(credit: Parameters<GovernanceRepository['recordCredit']>[0]): boolean {
      if (!repository.recordCredit(credit)) return false;
      const scope: UsageScope = { userId: credit.userId, atMs: credit.reservedAtMs, serviceId: credit.serviceId, taskId: credit.taskId };
      repository.addToTotals(scope, usageChange(EMPTY_USAGE, refundCreditUsage(credit.amountMsat)), false);
      return true;
    },

    /** Every stored total next to its recomputation from all reservations and credits. Scans everything. */
    drift(): UsageTotalsDrift[] {
      return recomputeDrift(repository);
    },
  };
}

const key = (row: Record<string, unknown>) => JSON.stringify(row);

/** Rows on one side only, by value: the drift between stored and recomputed totals. */
function difference(table: UsageTotalsDrift['table'], stored: Record<string, unknown>[], recomputed: Record<string, unknown>[]): UsageTotalsDrift[] {
  const storedKeys = new Set(stored.map(key));
  const recomputedKeys = new Set(recomputed.map(key));
  return [
    ...stored.filter((row) => !recomputedKeys.has(key(row))).map((row) => ({ table, side: 'stored' as const, row })),
    ...recomputed.filter((row) => !storedKeys.has(key(row))).map((row) => ({ table, side: 'recomputed' as const, row })),
  ];
}

function recomputeDrift(repository: GovernanceRepository): UsageTotalsDrift[] {
  const everything = { fromMs: Number.MIN_SAFE_INTEGER, toMs: Number.MAX_SAFE_INTEGER };
  const seen = new Map<string, Attribution>();
  const spends = [...repository.reservations(everything).map((row) => spendOf(row, seen)), ...repository.credits(everything).map(creditAsSpend)];
  const byUser = new Map<string, Spend[]>();
  for (const spend of spends) byUser.set(spend.userId, [...(byUser.get(spend.userId) ?? []), spend]);
  const stored = repository.allTotals();
  const windowOf = (row: UsageWindow) => ({ userId: row.userId, startsAtMs: row.startsAtMs, endsAtMs: row.endsAtMs });
  const mine = (row: UsageWindow) => (byUser.get(row.userId) ?? []).filter((spend) => inWindow(spend, row));
  const months = stored.month.map((row) => ({ ...windowOf(row), ...sumWhere(mine(row), () => true) }));
  const services = stored.month.flatMap((row) => {
    const ids = new Set(mine(row).flatMap((spend) => (spend.serviceId === null ? [] : [spend.serviceId])));
    return [...ids].map((serviceId) => ({ ...windowOf(row), serviceId, ...sumWhere(mine(row), (spend) => spend.serviceId === serviceId) }));
  });
  const tasks = new Map<string, { userId: string; taskId: string; firstAtMs: number; lastAtMs: number } & BudgetUsage>();
  for (const spend of spends) {
    if (spend.taskId === null) continue;
    const taskKey = key({ userId: spend.userId, taskId: spend.taskId });
    const known = tasks.get(taskKey);
    // A credit alone never makes a task row; it only adds to one its spends made.
    const isCredit = spend.usage.refundCreditMsat > 0;
    if (known === undefined && isCredit) continue;
    const base = known ?? { userId: spend.userId, taskId: spend.taskId, firstAtMs: spend.atMs, lastAtMs: spend.atMs, ...EMPTY_USAGE };
    tasks.set(taskKey, {
      ...base,
      ...addUsage(base, spend.usage),
      firstAtMs: isCredit ? base.firstAtMs : Math.min(base.firstAtMs, spend.atMs),
      lastAtMs: isCredit ? base.lastAtMs : Math.max(base.lastAtMs, spend.atMs),
    });
  }
  const ordered = <T extends object>(rows: T[]) => rows.map((row) => Object.fromEntries(Object.entries(row).sort()));
  return [
    ...difference('month', ordered(stored.month), ordered(months)),
    ...difference('service', ordered(stored.service), ordered(services)),
    ...difference('task', ordered(stored.task), ordered([...tasks.values()])),
  ];
}
