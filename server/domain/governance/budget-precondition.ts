// The budget check that runs inside the ledger's reservation transaction (the ledger's `reserve`
// `precondition`). The ledger holds SQLite's write lock from before this check reads usage until the
// reservation is written, so two spends can never both see the same headroom: whichever reserves
// second sees the first one's hold as pending. That is what makes overspend impossible, in one process
// or across several connections on the same database file.
import { z } from 'zod';
import type { DenyReason, GovernanceSettings, SpendQuote } from '../../../shared/governance';
import { msat, type Msat } from '../../../shared/money';
import type { JsonObject, ReservePrecondition } from '../ledger';
import { usedMsat } from './budget';
import { periodFor } from './period';
import type { UsageTotalsKeeper } from './usage-totals';
import { checkLimits } from './policy';

/**
 * `account_in_debt` (a DenyReason): a refunded or disputed top-up took back more than the person's funds
 * covered, and what is owed is not yet repaid. Money released after that (a failed spend's hold) belongs
 * to the debt, so no new spend may reserve it; the top-ups loop takes it, and spending resumes once
 * nothing is owed.
 */
export type BudgetRefusalReason = DenyReason | 'exceeds_monthly_budget';

/** The sentence a person reads wherever a debt refuses a spend (approval, chat). */
export const ACCOUNT_IN_DEBT_WHY =
  'A refunded or disputed card top-up left your balance owing, so nothing is spent until new funds (a top-up or a payment received) repay it.';

/** What the person still owes from reversed top-ups, read inside the reservation's transaction. */
export interface DebtReader {
  owedMsat(userId: string): number;
}

/**
 * The one rule for money leaving while a top-up debt is owed (spends here, withdrawals in
 * domain/wallet): none may. Call it inside the transaction that takes the funds.
 */
export function debtRefusal(debts: DebtReader, userId: string): 'account_in_debt' | null {
  return debts.owedMsat(userId) > 0 ? 'account_in_debt' : null;
}

/**
 * The metadata governance reads back from a reservation: which service and task it was for, and how
 * much of the hold is routing-fee allowance. Merge it into the metadata passed to `ledger.reserve`.
 */
export function budgetReservationMetadata(input: {
  serviceId: string;
  taskId: string | null;
  feeReserveMsat: Msat;
}): JsonObject {
  return { serviceId: input.serviceId, taskId: input.taskId, feeReserveMsat: input.feeReserveMsat };
}

/** Whom a reservation's usage is charged to, read from its metadata. */
export interface ReservationAttribution {
  /** Null when the metadata names none (as text): the spend counts in the month only. */
  serviceId: string | null;
  taskId: string | null;
  /** The part of the hold that is routing-fee allowance; 0 when not given, never more than the hold. */
  feeReserveMsat: Msat;
}

// The reading of each field, written once: the zod schema below applies them to stored metadata, and
// requestAttribution to the metadata of a reservation being made.
// An empty id names nothing (and '' is the window's own row in governance_window_usage).
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const feeOrZero = (value: unknown): number => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0);
// Lenient on purpose, field by field: reservations made without governance (or by older code) still
// count in the month. `.optional()` first: a transform's output is not optional, so without it a
// missing key failed the whole object, and one absent field dropped the other two with it.
const attributionSchema = z.object({
  serviceId: z.unknown().optional().transform(textOrNull),
  taskId: z.unknown().optional().transform(textOrNull),
  feeReserveMsat: z.unknown().optional().transform(feeOrZero),
});

function attribution(fields: { serviceId: string | null; taskId: string | null; feeReserveMsat: number }, amountMsat: Msat): ReservationAttribution {
  return { serviceId: fields.serviceId, taskId: fields.taskId, feeReserveMsat: msat(Math.min(fields.feeReserveMsat, amountMsat)) };
}

/** Reads budgetReservationMetadata back (through zod) from a reservation's stored metadata, whatever else it holds. */
export function reservationAttribution(metadata: unknown, amountMsat: Msat): ReservationAttribution {
  return attribution(attributionSchema.safeParse(metadata ?? {}).data ?? { serviceId: null, taskId: null, feeReserveMsat: 0 }, amountMsat);
}

/**
 * The same reading of the metadata of a reservation being made, which the ledger hands its observer as
 * the request's own JSON object, in this process: no stored text, nothing to parse. It skips zod
 * because a zod parse on every spend decision kept that decision's objects alive through the young
 * generation's collections, doubling their pauses (bench/governance.bench.ts: 5-10% more decisions/s
 * without it). The property test in budget-precondition.test.ts holds both readings equal.
 */
export function requestAttribution(metadata: JsonObject | null, amountMsat: Msat): ReservationAttribution {
  const fields = metadata ?? {};
  return attribution({ serviceId: textOrNull(fields.serviceId), taskId: textOrNull(fields.taskId), feeReserveMsat: feeOrZero(fields.feeReserveMsat) }, amountMsat);
}

export interface BudgetCheck {
  userId: string;
  timeZone: string;
  settings: GovernanceSettings;
  /** The quote being reserved for; the reservation's amount must be its maxMsat. */
  quote: SpendQuote;
  task: { id: string; startedAtMs: number } | null;
  /** How far past the monthly limit the person approved with a second factor; 0 if they did not. */
  authorizedOverageMsat?: Msat;
}

/**
 * A precondition for `ledger.reserve`: refuses while a top-up debt is owed, then re-reads usage under
 * the write lock and applies the hard limits (block, task cap, service cap, monthly limit + any
 * approved overage). Tiers are not re-checked: the approval they asked for was given before reserving.
 */
export function budgetPrecondition(
  totals: Pick<UsageTotalsKeeper, 'usageForReservation'>,
  debts: DebtReader,
  check: BudgetCheck,
): ReservePrecondition<BudgetRefusalReason> {
  return (input) => {
    if (input.userId !== check.userId || input.amountMsat !== check.quote.maxMsat) {
      throw new Error('budgetPrecondition: the reservation does not match the checked quote');
    }
    // Read under the same write lock as the reservation, so a debt recorded a moment ago is seen.
    const inDebt = debtRefusal(debts, check.userId);
    if (inDebt) return { ok: false, reason: inDebt };
    const period = periodFor(new Date(input.nowMs), check.timeZone);
    const bounds = { periodKey: period.periodKey, startsAtMs: period.startsAt.getTime(), endsAtMs: period.endsAt.getTime() };
    // Also records the period (with the limit in force) for history, whether or not this spend fits.
    const usage = totals.usageForReservation(
      { userId: check.userId, period: bounds, serviceId: check.quote.serviceId, task: check.task },
      { timeZone: check.timeZone, limit: check.settings.monthlyLimit, nowMs: input.nowMs },
    );
    const verdict = checkLimits(
      {
        quote: check.quote,
        settings: check.settings,
        usage: {
          monthUsedMsat: usedMsat(usage.month),
          serviceUsedMsat: usedMsat(usage.service),
          taskUsedMsat: usedMsat(usage.task),
        },
      },
      check.authorizedOverageMsat ?? msat(0),
    );
    if (verdict.ok) return { ok: true };
    return { ok: false, reason: verdict.kind === 'deny' ? verdict.reason : 'exceeds_monthly_budget' };
  };
}
