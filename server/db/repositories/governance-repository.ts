// SQL for budget governance, kept apart from its rules (server/domain/governance). Synchronous
// (better-sqlite3) so the budget check can run inside the ledger's IMMEDIATE reservation transaction.
// Every statement is prepared once per repository: the budget check runs on every spend.
//
// Usage is read from the ledger's reservations (kind 'reserve') and their resolutions. A reservation
// counts in the period it was MADE in, whenever it is posted: the budget check that let it through
// charged it to that period, and moving it at post time could overshoot the next one.
// Reservation metadata carries serviceId, taskId and feeReserveMsat (see budgetReservationMetadata in
// server/domain/governance/budget-precondition.ts).
import { and, desc, eq, sql } from 'drizzle-orm';
import { governanceSettingsSchema, moneyLimitSchema, type GovernanceSettings, type MoneyLimit } from '../../../shared/governance';
import { msat, type Msat } from '../../../shared/money';
import type { DatabaseHandle } from '../client';
import {
  governanceAlertsFired,
  governanceBudgetPeriods,
  governanceCredits,
  governanceSettings,
} from '../schema/governance';

const p = sql.placeholder;

export interface UsageTotals {
  postedMsat: Msat;
  pendingMsat: Msat;
  feeReserveMsat: Msat;
  creditedMsat: Msat;
}
export interface UsageQuery {
  userId: string;
  period: { periodKey: string; startsAtMs: number; endsAtMs: number };
  serviceId: string;
  /** The task's usage counts its reservations since it started, across periods. */
  task: { id: string; startedAtMs: number } | null;
}
export interface UsageBreakdown {
  month: UsageTotals;
  service: UsageTotals;
  task: UsageTotals;
}
export interface BudgetPeriodRecord {
  periodKey: string;
  timeZone: string;
  startsAtMs: number;
  endsAtMs: number;
  limit: MoneyLimit | null;
}

interface UsageRow {
  month_posted: number; month_pending: number; month_fee: number;
  service_posted: number; service_pending: number; service_fee: number;
  task_posted: number; task_pending: number; task_fee: number;
}
interface CreditRow { month_credit: number; service_credit: number; task_credit: number }

// One pass over the user's reservations in the window that covers both the period and the task.
const USAGE_SQL = `
WITH spends AS (
  SELECT r.created_at_ms AS at,
    json_extract(r.metadata_json, '$.serviceId') AS service,
    json_extract(r.metadata_json, '$.taskId') AS task,
    CASE WHEN res.id IS NULL THEN r.amount_msat - coalesce(json_extract(r.metadata_json, '$.feeReserveMsat'), 0) ELSE 0 END AS pending,
    CASE WHEN res.id IS NULL THEN coalesce(json_extract(r.metadata_json, '$.feeReserveMsat'), 0) ELSE 0 END AS fee,
    CASE WHEN res.kind = 'post' THEN res.amount_msat + res.fee_msat ELSE 0 END AS posted
  FROM ledger_transfers r
  LEFT JOIN ledger_transfers res ON res.pending_id = r.id
  WHERE r.user_id = @userId AND r.kind = 'reserve' AND r.created_at_ms >= @scanFromMs AND r.created_at_ms < @endsAtMs
),
tagged AS (
  SELECT *, (at >= @startsAtMs) AS in_month, (at >= @startsAtMs AND service = @serviceId) AS in_service,
    (task IS NOT NULL AND task = @taskId AND at >= @taskStartedAtMs) AS in_task
  FROM spends
)
SELECT
  coalesce(sum(CASE WHEN in_month THEN posted END), 0) AS month_posted,
  coalesce(sum(CASE WHEN in_month THEN pending END), 0) AS month_pending,
  coalesce(sum(CASE WHEN in_month THEN fee END), 0) AS month_fee,
  coalesce(sum(CASE WHEN in_service THEN posted END), 0) AS service_posted,
  coalesce(sum(CASE WHEN in_service THEN pending END), 0) AS service_pending,
  coalesce(sum(CASE WHEN in_service THEN fee END), 0) AS service_fee,
  coalesce(sum(CASE WHEN in_task THEN posted END), 0) AS task_posted,
  coalesce(sum(CASE WHEN in_task THEN pending END), 0) AS task_pending,
  coalesce(sum(CASE WHEN in_task THEN fee END), 0) AS task_fee
FROM tagged`;

const CREDITS_SQL = `
SELECT
  coalesce(sum(CASE WHEN period_key = @periodKey THEN amount_msat END), 0) AS month_credit,
  coalesce(sum(CASE WHEN period_key = @periodKey AND service_id = @serviceId THEN amount_msat END), 0) AS service_credit,
  coalesce(sum(CASE WHEN task_id = @taskId THEN amount_msat END), 0) AS task_credit
FROM governance_credits
WHERE user_id = @userId AND (period_key = @periodKey OR task_id = @taskId)`;

function totals(posted: number, pending: number, fee: number, credit: number): UsageTotals {
  return { postedMsat: msat(posted), pendingMsat: msat(pending), feeReserveMsat: msat(fee), creditedMsat: msat(credit) };
}

export type GovernanceRepository = ReturnType<typeof createGovernanceRepository>;

export function createGovernanceRepository(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>) {
  const { db, sqlite } = handle;
  // The usage aggregate is plain SQL (a CTE with conditional sums), prepared on the same connection.
  const usage = sqlite.prepare<Record<string, string | number | null>, UsageRow>(USAGE_SQL);
  const credits = sqlite.prepare<Record<string, string | number | null>, CreditRow>(CREDITS_SQL);
  // Runs on every budget check, so prepared once; the first record fixes the bounds, a later one only
  // rewrites the limit when it changed.
  const recordPeriod = sqlite.prepare<Record<string, string | number | null>>(`
    INSERT INTO governance_budget_periods
      (user_id, period_key, time_zone, starts_at_ms, ends_at_ms, limit_json, first_seen_at_ms)
    VALUES (@userId, @periodKey, @timeZone, @startsAtMs, @endsAtMs, @limitJson, @nowMs)
    ON CONFLICT (user_id, period_key) DO UPDATE SET limit_json = excluded.limit_json
      WHERE limit_json IS NOT excluded.limit_json`);
  const statements = {
    settings: db.select().from(governanceSettings).where(eq(governanceSettings.userId, p('userId'))).prepare(),
    firedThresholds: db
      .select({ thresholdPercent: governanceAlertsFired.thresholdPercent })
      .from(governanceAlertsFired)
      .where(and(eq(governanceAlertsFired.userId, p('userId')), eq(governanceAlertsFired.periodKey, p('periodKey'))))
      .prepare(),
    periods: db
      .select()
      .from(governanceBudgetPeriods)
      .where(eq(governanceBudgetPeriods.userId, p('userId')))
      .orderBy(desc(governanceBudgetPeriods.periodKey))
      .prepare(),
  };

  function parseLimit(json: string | null): MoneyLimit | null {
    return json === null ? null : moneyLimitSchema.parse(JSON.parse(json));
  }

  return {
    /** The person's settings; null if they never saved any (callers fall back to the defaults). */
    findSettings(userId: string): GovernanceSettings | null {
      const row = statements.settings.get({ userId });
      // Written only through saveSettings, so a row that fails the schema is corruption: throw.
      return row === undefined ? null : governanceSettingsSchema.parse(JSON.parse(row.settingsJson));
    },

    saveSettings(userId: string, settings: GovernanceSettings, nowMs: number): void {
      const settingsJson = JSON.stringify(governanceSettingsSchema.parse(settings));
      db.insert(governanceSettings)
        .values({ userId, settingsJson, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: governanceSettings.userId, set: { settingsJson, updatedAtMs: nowMs } })
        .run();
    },

    /** Month, service and task usage in one read; run inside the reservation transaction. */
    usage(query: UsageQuery): UsageBreakdown {
      const { userId, period, serviceId, task } = query;
      const taskStartedAtMs = task?.startedAtMs ?? period.startsAtMs;
      const row = usage.get({
        userId,
        serviceId,
        startsAtMs: period.startsAtMs,
        endsAtMs: period.endsAtMs,
        scanFromMs: Math.min(period.startsAtMs, taskStartedAtMs),
        taskId: task?.id ?? null,
        taskStartedAtMs,
      });
      const credit = credits.get({ userId, serviceId, periodKey: period.periodKey, taskId: task?.id ?? null });
      if (row === undefined || credit === undefined) throw new Error('aggregate queries always return a row');
      return {
        month: totals(row.month_posted, row.month_pending, row.month_fee, credit.month_credit),
        service: totals(row.service_posted, row.service_pending, row.service_fee, credit.service_credit),
        task: totals(row.task_posted, row.task_pending, row.task_fee, credit.task_credit),
      };
    },

    /** Remembers that the person spent in this period, with its bounds and the limit in force, for history. */
    recordPeriod(userId: string, period: BudgetPeriodRecord, nowMs: number): void {
      recordPeriod.run({
        userId,
        periodKey: period.periodKey,
        timeZone: period.timeZone,
        startsAtMs: period.startsAtMs,
        endsAtMs: period.endsAtMs,
        limitJson: period.limit === null ? null : JSON.stringify(period.limit),
        nowMs,
      });
    },

    /** Periods the person has spent in, newest first. */
    listPeriods(userId: string): BudgetPeriodRecord[] {
      return statements.periods.all({ userId }).map((row) => ({
        periodKey: row.periodKey,
        timeZone: row.timeZone,
        startsAtMs: row.startsAtMs,
        endsAtMs: row.endsAtMs,
        limit: parseLimit(row.limitJson),
      }));
    },

    /** Records a refund credit once per ledger transfer; true if this call recorded it. */
    recordCredit(credit: {
      ledgerTransferId: number;
      userId: string;
      periodKey: string;
      serviceId: string;
      taskId: string | null;
      amountMsat: Msat;
      createdAtMs: number;
    }): boolean {
      const inserted = db
        .insert(governanceCredits)
        .values(credit)
        .onConflictDoNothing({ target: governanceCredits.ledgerTransferId })
        .returning({ id: governanceCredits.id })
        .all();
      return inserted.length === 1;
    },

    firedThresholds(userId: string, periodKey: string): number[] {
      return statements.firedThresholds.all({ userId, periodKey }).map((row) => row.thresholdPercent);
    },

    /**
     * Claims the right to fire a threshold alert: true for exactly one caller per (user, period,
     * threshold), however many race, because the UNIQUE index decides.
     */
    claimThreshold(userId: string, periodKey: string, thresholdPercent: number, nowMs: number): boolean {
      const inserted = db
        .insert(governanceAlertsFired)
        .values({ userId, periodKey, thresholdPercent, firedAtMs: nowMs })
        .onConflictDoNothing()
        .returning({ id: governanceAlertsFired.id })
        .all();
      return inserted.length === 1;
    },
  };
}
