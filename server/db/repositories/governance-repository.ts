// SQL for budget governance, kept apart from its rules (server/domain/governance). Synchronous
// (better-sqlite3) so the budget check can run inside the ledger's IMMEDIATE reservation transaction.
// Every statement is prepared once per repository: the budget check runs on every spend.
//
// Usage is DEFINED by the ledger's reservations (kind 'reserve') and their resolutions (SPENDS below).
// A reservation counts in the period it was MADE in, whenever it is posted: the budget check that let
// it through charged it to that period, and moving it at post time could overshoot the next one.
// Reservation metadata carries serviceId, taskId and feeReserveMsat (see budgetReservationMetadata in
// server/domain/governance/budget-precondition.ts).
//
// Reading that definition means scanning the month's reservations, which grows with every spend. So
// usage is also kept as totals (governance_month_usage, _service_usage, _task_usage), which triggers
// on ledger_transfers (migration 0008) update in the same statement as each reservation and resolution,
// in whatever transaction and process writes it. A check then reads three rows. Totals answer only when
// they cover exactly the window asked for; otherwise usage() scans, as it always did. usageTotalsDrift()
// recomputes every total from the reservations for audits and tests.
import { and, desc, eq, sql } from 'drizzle-orm';
import {
  governanceSettingsSchema,
  parseStoredLimit,
  parseStoredSettings,
  type GovernanceSettings,
  type MoneyLimit,
} from '../../../shared/governance';
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
/** A usage total that differs from its reservations: the cached row, the recomputed one, or both. */
export interface UsageTotalsDrift {
  table: 'month' | 'service' | 'task';
  side: 'cached' | 'scanned';
  row: Record<string, unknown>;
}

type Params = Record<string, string | number | null>;
interface UsageRow {
  month_posted: number; month_pending: number; month_fee: number;
  service_posted: number; service_pending: number; service_fee: number;
  task_posted: number; task_pending: number; task_fee: number;
}
interface CreditRow { month_credit: number; service_credit: number; task_credit: number }
/** The three totals rows and the credits in one read; a column is null when its row does not exist. */
interface TotalsRow extends CreditRow {
  month_posted: number | null; month_pending: number | null; month_fee: number | null;
  service_posted: number | null; service_pending: number | null; service_fee: number | null;
  task_first_at: number | null; task_last_at: number | null;
  task_posted: number | null; task_pending: number | null; task_fee: number | null;
  /** 1 if the period is recorded for history (governance_budget_periods), with its limit then. */
  period_recorded: 0 | 1; period_limit_json: string | null;
}

// What each reservation adds to usage: the definition that every total follows. Migration 0008's
// triggers apply the same expressions one reservation at a time. serviceId and taskId match a query
// only when they are JSON strings (the query's ids are strings), hence the *_is_text columns.
const SPENDS = `
  SELECT r.user_id AS user_id, r.created_at_ms AS at,
    json_extract(r.metadata_json, '$.serviceId') AS service,
    json_type(r.metadata_json, '$.serviceId') = 'text' AS service_is_text,
    json_extract(r.metadata_json, '$.taskId') AS task,
    json_type(r.metadata_json, '$.taskId') = 'text' AS task_is_text,
    CASE WHEN res.id IS NULL THEN r.amount_msat - coalesce(json_extract(r.metadata_json, '$.feeReserveMsat'), 0) ELSE 0 END AS pending,
    CASE WHEN res.id IS NULL THEN coalesce(json_extract(r.metadata_json, '$.feeReserveMsat'), 0) ELSE 0 END AS fee,
    CASE WHEN res.kind = 'post' THEN res.amount_msat + res.fee_msat ELSE 0 END AS posted
  FROM ledger_transfers r
  LEFT JOIN ledger_transfers res ON res.pending_id = r.id
  WHERE r.kind = 'reserve'`;

// The definition read directly: one pass over the user's reservations in the window that covers both
// the period and the task.
const USAGE_SQL = `
WITH spends AS (
  ${SPENDS} AND r.user_id = @userId AND r.created_at_ms >= @scanFromMs AND r.created_at_ms < @endsAtMs
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

// Everything a check reads, in one statement: the credits (one row, always) and the three totals.
const TOTALS_SQL = `
SELECT c.month_credit, c.service_credit, c.task_credit,
  m.posted_msat AS month_posted, m.pending_msat AS month_pending, m.fee_reserve_msat AS month_fee,
  s.posted_msat AS service_posted, s.pending_msat AS service_pending, s.fee_reserve_msat AS service_fee,
  t.first_at_ms AS task_first_at, t.last_at_ms AS task_last_at,
  t.posted_msat AS task_posted, t.pending_msat AS task_pending, t.fee_reserve_msat AS task_fee,
  p.user_id IS NOT NULL AS period_recorded, p.limit_json AS period_limit_json
FROM (${CREDITS_SQL}) c
LEFT JOIN governance_month_usage m
  ON m.user_id = @userId AND m.starts_at_ms = @startsAtMs AND m.ends_at_ms = @endsAtMs
LEFT JOIN governance_service_usage s
  ON s.user_id = @userId AND s.starts_at_ms = @startsAtMs AND s.ends_at_ms = @endsAtMs AND s.service_id = @serviceId
LEFT JOIN governance_task_usage t ON t.user_id = @userId AND t.task_id = @taskId
LEFT JOIN governance_budget_periods p ON p.user_id = @userId AND p.period_key = @periodKey`;

const WINDOW_SPENDS = `${SPENDS} AND r.user_id = @userId AND r.created_at_ms >= @startsAtMs AND r.created_at_ms < @endsAtMs`;

// A new window's totals, and one row per service spent on in it, from one scan each.
const CREATE_MONTH_TOTALS_SQL = `
INSERT INTO governance_month_usage (user_id, starts_at_ms, ends_at_ms, posted_msat, pending_msat, fee_reserve_msat)
SELECT @userId, @startsAtMs, @endsAtMs, coalesce(sum(posted), 0), coalesce(sum(pending), 0), coalesce(sum(fee), 0)
FROM (${WINDOW_SPENDS})`;
const CREATE_SERVICE_TOTALS_SQL = `
INSERT INTO governance_service_usage
  (user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat)
SELECT @userId, @startsAtMs, @endsAtMs, service, sum(posted), sum(pending), sum(fee)
FROM (${WINDOW_SPENDS}) WHERE service_is_text GROUP BY service`;

// Audits: each total next to the same total recomputed from the reservations; rows on one side only
// are the drift. Scans everything, so for tests and audits, not for requests.
const symmetricDifference = (cached: string, scanned: string) => `
WITH spends AS (${SPENDS}), cached AS (${cached}), scanned AS (${scanned})
SELECT 'cached' AS side, * FROM (SELECT * FROM cached EXCEPT SELECT * FROM scanned)
UNION ALL
SELECT 'scanned' AS side, * FROM (SELECT * FROM scanned EXCEPT SELECT * FROM cached)`;
const AUDIT_SQL = {
  month: symmetricDifference(
    'SELECT user_id, starts_at_ms, ends_at_ms, posted_msat, pending_msat, fee_reserve_msat FROM governance_month_usage',
    `SELECT m.user_id, m.starts_at_ms, m.ends_at_ms, coalesce(sum(s.posted), 0), coalesce(sum(s.pending), 0), coalesce(sum(s.fee), 0)
     FROM governance_month_usage m
     LEFT JOIN spends s ON s.user_id = m.user_id AND s.at >= m.starts_at_ms AND s.at < m.ends_at_ms
     GROUP BY m.user_id, m.starts_at_ms, m.ends_at_ms`,
  ),
  service: symmetricDifference(
    'SELECT user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat FROM governance_service_usage',
    `SELECT m.user_id, m.starts_at_ms, m.ends_at_ms, s.service, sum(s.posted), sum(s.pending), sum(s.fee)
     FROM governance_month_usage m
     JOIN spends s ON s.user_id = m.user_id AND s.at >= m.starts_at_ms AND s.at < m.ends_at_ms AND s.service_is_text
     GROUP BY m.user_id, m.starts_at_ms, m.ends_at_ms, s.service`,
  ),
  task: symmetricDifference(
    'SELECT user_id, task_id, first_at_ms, last_at_ms, posted_msat, pending_msat, fee_reserve_msat FROM governance_task_usage',
    `SELECT user_id, task, min(at), max(at), sum(posted), sum(pending), sum(fee)
     FROM spends WHERE task_is_text AND user_id IS NOT NULL GROUP BY user_id, task`,
  ),
};

function totals(posted: number, pending: number, fee: number, credit: number): UsageTotals {
  return { postedMsat: msat(posted), pendingMsat: msat(pending), feeReserveMsat: msat(fee), creditedMsat: msat(credit) };
}

export type GovernanceRepository = ReturnType<typeof createGovernanceRepository>;

export function createGovernanceRepository(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>) {
  const { db, sqlite } = handle;
  // Usage is plain SQL (CTEs, conditional sums, the totals tables), prepared on the same connection.
  const scanUsage = sqlite.prepare<Params, UsageRow>(USAGE_SQL);
  const readTotals = sqlite.prepare<Params, TotalsRow>(TOTALS_SQL);
  const readSettings = sqlite.prepare<[string], { settingsJson: string }>(
    'SELECT settings_json AS settingsJson FROM governance_settings WHERE user_id = ?',
  );
  const monthExists = sqlite.prepare<Params, { found: 1 }>(`
    SELECT 1 AS found FROM governance_month_usage
    WHERE user_id = @userId AND starts_at_ms = @startsAtMs AND ends_at_ms = @endsAtMs`);
  const createMonthTotals = sqlite.prepare<Params>(CREATE_MONTH_TOTALS_SQL);
  const createServiceTotals = sqlite.prepare<Params>(CREATE_SERVICE_TOTALS_SQL);
  const audits = {
    month: sqlite.prepare<[], { side: 'cached' | 'scanned' } & Record<string, unknown>>(AUDIT_SQL.month),
    service: sqlite.prepare<[], { side: 'cached' | 'scanned' } & Record<string, unknown>>(AUDIT_SQL.service),
    task: sqlite.prepare<[], { side: 'cached' | 'scanned' } & Record<string, unknown>>(AUDIT_SQL.task),
  };
  // The first record fixes the bounds; a later one only rewrites the limit when it changed.
  const recordPeriod = sqlite.prepare<Params>(`
    INSERT INTO governance_budget_periods
      (user_id, period_key, time_zone, starts_at_ms, ends_at_ms, limit_json, first_seen_at_ms)
    VALUES (@userId, @periodKey, @timeZone, @startsAtMs, @endsAtMs, @limitJson, @nowMs)
    ON CONFLICT (user_id, period_key) DO UPDATE SET limit_json = excluded.limit_json
      WHERE limit_json IS NOT excluded.limit_json`);
  // Re-checks under the lock: another connection may have created the window since we looked.
  const createWindow = sqlite.transaction((window: Params) => {
    if (monthExists.get(window) !== undefined) return;
    createMonthTotals.run(window);
    createServiceTotals.run(window);
  });

  function queryParams({ userId, period, serviceId, task }: UsageQuery): Params {
    return {
      userId,
      serviceId,
      periodKey: period.periodKey,
      startsAtMs: period.startsAtMs,
      endsAtMs: period.endsAtMs,
      taskId: task?.id ?? null,
    };
  }

  /**
   * Usage from the totals when they cover exactly this query: the month window exists, and the task's
   * reservations all fall in [task start, period end). Undefined when they do not.
   */
  function fromTotals(query: UsageQuery, row: TotalsRow): UsageBreakdown | undefined {
    const { task, period } = query;
    if (row.month_posted === null) return undefined;
    // No task row: the task never reserved (each reservation with a task id makes one), so it used nothing.
    const taskCovered =
      task === null || row.task_first_at === null || row.task_last_at === null ||
      (row.task_first_at >= task.startedAtMs && row.task_last_at < period.endsAtMs);
    if (!taskCovered) return undefined;
    return {
      month: totals(row.month_posted, row.month_pending ?? 0, row.month_fee ?? 0, row.month_credit),
      // No service row in an existing window: nothing was reserved for that service in it.
      service: totals(row.service_posted ?? 0, row.service_pending ?? 0, row.service_fee ?? 0, row.service_credit),
      task: totals(row.task_posted ?? 0, row.task_pending ?? 0, row.task_fee ?? 0, row.task_credit),
    };
  }

  /** Usage by its definition, from the reservations themselves. */
  function scanned(query: UsageQuery, credit: CreditRow): UsageBreakdown {
    const { period, task } = query;
    const taskStartedAtMs = task?.startedAtMs ?? period.startsAtMs;
    const row = scanUsage.get({
      ...queryParams(query),
      scanFromMs: Math.min(period.startsAtMs, taskStartedAtMs),
      taskStartedAtMs,
    });
    if (row === undefined) throw new Error('aggregate queries always return a row');
    return {
      month: totals(row.month_posted, row.month_pending, row.month_fee, credit.month_credit),
      service: totals(row.service_posted, row.service_pending, row.service_fee, credit.service_credit),
      task: totals(row.task_posted, row.task_pending, row.task_fee, credit.task_credit),
    };
  }

  function readTotalsRow(params: Params): TotalsRow {
    const row = readTotals.get(params);
    if (row === undefined) throw new Error('the credits aggregate always returns a row');
    return row;
  }
  // Parsed settings by user, reused while the stored JSON is the same string: it was validated when
  // first read, and every check reads settings. The objects are shared, like the defaults: read-only.
  const parsedSettings = new Map<string, { json: string; settings: GovernanceSettings }>();

  const statements = {
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
    return json === null ? null : parseStoredLimit(jsonOrNull(json));
  }

  return {
    /** The person's settings; null if they never saved any (callers fall back to the defaults). */
    findSettings(userId: string): GovernanceSettings | null {
      const row = readSettings.get(userId);
      if (row === undefined) return null;
      const cached = parsedSettings.get(userId);
      if (cached?.json === row.settingsJson) return cached.settings;
      // A row that fails today's schema (saved before limits had maxima, or damaged) reads as the
      // nearest safe settings instead of failing every budget read and every task (see parseStoredSettings).
      const settings = parseStoredSettings(jsonOrNull(row.settingsJson));
      parsedSettings.set(userId, { json: row.settingsJson, settings });
      return settings;
    },

    saveSettings(userId: string, settings: GovernanceSettings, nowMs: number): void {
      const settingsJson = JSON.stringify(governanceSettingsSchema.parse(settings));
      db.insert(governanceSettings)
        .values({ userId, settingsJson, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: governanceSettings.userId, set: { settingsJson, updatedAtMs: nowMs } })
        .run();
    },

    /**
     * Month, service and task usage: from the totals when they cover exactly this window (one read),
     * otherwise from the reservations. The same numbers either way.
     */
    usage(query: UsageQuery): UsageBreakdown {
      const row = readTotalsRow(queryParams(query));
      return fromTotals(query, row) ?? scanned(query, row);
    },

    /**
     * What the budget check does in the database, under the reservation's write lock: usage, as
     * usage() reads it, and the period recorded for history. The first check in a window creates its
     * totals (from one scan); from then on the triggers keep them. Creating holds the write lock from
     * the scan on (IMMEDIATE, or the caller's transaction as a savepoint), so no reservation can land
     * between the scan and the insert and be missed. The period is written only when it is new or its
     * limit changed, which the same read tells, so the usual check is one read and no write.
     */
    usageForReservation(query: UsageQuery, record: { timeZone: string; limit: MoneyLimit | null; nowMs: number }): UsageBreakdown {
      const params = queryParams(query);
      let row = readTotalsRow(params);
      if (row.month_posted === null) {
        createWindow.immediate(params);
        row = readTotalsRow(params);
      }
      const limitJson = record.limit === null ? null : JSON.stringify(record.limit);
      if (row.period_recorded === 0 || row.period_limit_json !== limitJson) {
        recordPeriod.run({ ...params, timeZone: record.timeZone, limitJson, nowMs: record.nowMs });
      }
      return fromTotals(query, row) ?? scanned(query, row);
    },

    /** Every usage total that differs from its recomputation from the reservations; empty when sound. */
    usageTotalsDrift(): UsageTotalsDrift[] {
      return (['month', 'service', 'task'] as const).flatMap((table) =>
        audits[table].all().map(({ side, ...row }) => ({ table, side, row })),
      );
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

/** Stored JSON text, parsed; null when it is not JSON at all (the stored-value readers treat it as unreadable). */
function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
