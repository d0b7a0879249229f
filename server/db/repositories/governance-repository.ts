// SQL for budget governance, kept apart from its rules (server/domain/governance). Synchronous
// (better-sqlite3) so the budget check can run inside the ledger's IMMEDIATE reservation transaction.
// Every statement is prepared once per repository: the budget check runs on every spend.
//
// Budget usage is stored, not computed here: governance_window_usage and governance_task_usage hold
// typed figures (posted, pending, fee reserve, refund credit) that governance changes through
// addToTotals in the same transaction as each reservation, resolution and refund credit (on SQLite
// as an appended row of governance_usage_changes, folded into the totals before any read of them:
// usage-changes.ts). What those changes are is decided once, in server/domain/governance/budget.ts
// (reservationUsage); this file only reads and adds. reservations() and credits() return the rows
// the figures come from, for the scans that create a new window's totals and for audits.
import { and, desc, eq, sql } from 'drizzle-orm';
import {
  governanceSettingsSchema,
  parseStoredLimit,
  parseStoredSettings,
  type GovernanceSettings,
  type MoneyLimit,
} from '../../../shared/governance';
import { msat, type Msat, type SignedMsat } from '../../../shared/money';
import type { DatabaseHandle } from '../client';
import { governanceAlertsFired, governanceBudgetPeriods, governanceSettings } from '../schema/governance';
import { governanceMemoryOf } from './governance-memory';
import { LONGEST_WINDOW_MS, usageChangesOf, type UsageChangeParams } from './usage-changes';
import { USER_RESERVATION_IDS } from './ledger-folds';

const p = sql.placeholder;

/** The four usage figures, as stored. */
export interface UsageTotals {
  postedMsat: Msat;
  pendingMsat: Msat;
  feeReserveMsat: Msat;
  refundCreditMsat: Msat;
}
/** What one event adds to each figure (negative when a hold is released). */
export type UsageTotalsChange = { readonly [K in keyof UsageTotals]: SignedMsat };
export interface UsageWindow {
  userId: string;
  startsAtMs: number;
  endsAtMs: number;
}
export interface UsageQuery {
  userId: string;
  period: { periodKey: string; startsAtMs: number; endsAtMs: number };
  serviceId: string;
  /** The task's usage counts its reservations since it started, across periods. */
  task: { id: string; startedAtMs: number } | null;
}
/** The stored totals a query reads; null where no row exists. */
export interface StoredTotals {
  month: UsageTotals | null;
  service: UsageTotals | null;
  task: (UsageTotals & { firstAtMs: number; lastAtMs: number }) | null;
  /** Whether the period is recorded for history (governance_budget_periods), and its limit then. */
  periodRecorded: boolean;
  periodLimitJson: string | null;
}
/** Where a reservation's usage is counted: every window of the person containing atMs, its service and task. */
export interface UsageScope {
  userId: string;
  atMs: number;
  serviceId: string | null;
  taskId: string | null;
}
/** A reservation and its resolution, as stored; the metadata is parsed by governance. */
export interface ReservationUsageRow {
  userId: string;
  atMs: number;
  amountMsat: number;
  metadataJson: string | null;
  resolutionKind: 'post' | 'void' | 'expire' | null;
  resolutionAmountMsat: number;
  resolutionFeeMsat: number;
}
export interface CreditUsageRow {
  userId: string;
  serviceId: string;
  taskId: string | null;
  reservedAtMs: number;
  amountMsat: number;
}
export interface BudgetPeriodRecord {
  periodKey: string;
  timeZone: string;
  startsAtMs: number;
  endsAtMs: number;
  limit: MoneyLimit | null;
}
export interface StoredTotalsRows {
  month: (UsageWindow & UsageTotals)[];
  service: (UsageWindow & UsageTotals & { serviceId: string })[];
  task: ({ userId: string; taskId: string; firstAtMs: number; lastAtMs: number } & UsageTotals)[];
}

type Params = Record<string, string | number | null>;
type Figures<P extends string> = { [K in `${P}_posted` | `${P}_pending` | `${P}_fee` | `${P}_credit`]: number | null };
type TotalsRow = Figures<'month'> & Figures<'service'> & Figures<'task'> & {
  task_first_at: number | null;
  task_last_at: number | null;
  period_recorded: 0 | 1;
  period_limit_json: string | null;
};

const FIGURES = 'posted_msat AS postedMsat, pending_msat AS pendingMsat, fee_reserve_msat AS feeReserveMsat, refund_credit_msat AS refundCreditMsat';
const figures = (alias: string, prefix: string) =>
  `${alias}.posted_msat AS ${prefix}_posted, ${alias}.pending_msat AS ${prefix}_pending, ` +
  `${alias}.fee_reserve_msat AS ${prefix}_fee, ${alias}.refund_credit_msat AS ${prefix}_credit`;

// Everything a check reads, in one statement of primary-key lookups driven by the month's row: it
// costs the same at the first spend of a month as at the millionth. No row: the window has no totals
// yet (its first check creates them), and nothing else in it is read.
const TOTALS_SQL = `
SELECT ${figures('m', 'month')}, ${figures('s', 'service')}, ${figures('t', 'task')},
  t.first_at_ms AS task_first_at, t.last_at_ms AS task_last_at,
  p.user_id IS NOT NULL AS period_recorded, p.limit_json AS period_limit_json
FROM governance_window_usage m
LEFT JOIN governance_window_usage s ON s.user_id = m.user_id AND s.starts_at_ms = m.starts_at_ms
  AND s.ends_at_ms = m.ends_at_ms AND s.service_id = @serviceId AND s.service_id <> ''
LEFT JOIN governance_task_usage t ON t.user_id = m.user_id AND t.task_id = @taskId
LEFT JOIN governance_budget_periods p ON p.user_id = m.user_id AND p.period_key = @periodKey
WHERE m.user_id = @userId AND m.starts_at_ms = @startsAtMs AND m.ends_at_ms = @endsAtMs AND m.service_id = ''`;

const ADD = `posted_msat = posted_msat + @posted, pending_msat = pending_msat + @pending,
  fee_reserve_msat = fee_reserve_msat + @fee, refund_credit_msat = refund_credit_msat + @credit`;
export { LONGEST_WINDOW_MS };
// The windows containing a moment: usually one (the person's month); two after a time-zone change.
// Sought among the person's rows of the last LONGEST_WINDOW_MS, however long their history.
const CONTAINS = `user_id = @userId AND starts_at_ms <= @atMs AND starts_at_ms > @atMs - ${LONGEST_WINDOW_MS} AND ends_at_ms > @atMs`;
/** A window's total: its row with the empty service id (governance_window_usage). */
const WHOLE_WINDOW = "service_id = ''";

const RESERVATIONS_SQL = `
SELECT r.user_id AS userId, r.created_at_ms AS atMs, r.amount_msat AS amountMsat, r.metadata_json AS metadataJson,
  res.kind AS resolutionKind, coalesce(res.amount_msat, 0) AS resolutionAmountMsat, coalesce(res.fee_msat, 0) AS resolutionFeeMsat
FROM ledger_transfers r
LEFT JOIN ledger_transfers res ON res.pending_id = r.id
WHERE r.kind = 'reserve'`;

function storedFigures(row: TotalsRow, prefix: 'month' | 'service' | 'task'): UsageTotals | null {
  const posted = row[`${prefix}_posted`];
  if (posted === null) return null;
  return {
    postedMsat: msat(posted),
    pendingMsat: msat(row[`${prefix}_pending`] ?? 0),
    feeReserveMsat: msat(row[`${prefix}_fee`] ?? 0),
    refundCreditMsat: msat(row[`${prefix}_credit`] ?? 0),
  };
}

/** A row's four figures as read (FIGURES), in msat. */
type FiguresRow = { postedMsat: number; pendingMsat: number; feeReserveMsat: number; refundCreditMsat: number };
const figuresOf = (row: FiguresRow): UsageTotals => ({
  postedMsat: msat(row.postedMsat),
  pendingMsat: msat(row.pendingMsat),
  feeReserveMsat: msat(row.feeReserveMsat),
  refundCreditMsat: msat(row.refundCreditMsat),
});

function changeParams(scope: UsageScope, change: UsageTotalsChange): UsageChangeParams {
  return {
    userId: scope.userId,
    atMs: scope.atMs,
    serviceId: scope.serviceId,
    taskId: scope.taskId,
    posted: change.postedMsat,
    pending: change.pendingMsat,
    fee: change.feeReserveMsat,
    credit: change.refundCreditMsat,
  };
}

export type GovernanceRepository = ReturnType<typeof createGovernanceRepository>;

export function createGovernanceRepository(handle: Pick<DatabaseHandle, 'db' | 'sqlite'>) {
  const { db, sqlite } = handle;
  const statements = prepareUsageStatements(sqlite);
  const readSettings = sqlite.prepare<[string], { settingsJson: string }>(
    'SELECT settings_json AS settingsJson FROM governance_settings WHERE user_id = ?',
  );
  // The first record fixes the bounds; a later one only rewrites the limit when it changed.
  const recordPeriod = sqlite.prepare<Params>(`
    INSERT INTO governance_budget_periods
      (user_id, period_key, time_zone, starts_at_ms, ends_at_ms, limit_json, first_seen_at_ms)
    VALUES (@userId, @periodKey, @timeZone, @startsAtMs, @endsAtMs, @limitJson, @nowMs)
    ON CONFLICT (user_id, period_key) DO UPDATE SET limit_json = excluded.limit_json
      WHERE governance_budget_periods.limit_json IS NOT excluded.limit_json`);
  // Parsed settings by user, reused while the stored JSON is the same string: it was validated when
  // first read, and every check reads settings. The objects are shared, like the defaults: read-only.
  const parsedSettings = new Map<string, { json: string; settings: GovernanceSettings }>();
  // The single writer's memory of settings and usage (SQLite only; governance-memory.ts).
  const memory = governanceMemoryOf(sqlite);
  // With the single writer, usage changes are appended and folded into the totals later (usage-changes.ts).
  const changes = usageChangesOf(sqlite);
  const drizzleStatements = {
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

  function storedSettings(userId: string): GovernanceSettings | null {
    const row = readSettings.get(userId);
    if (row === undefined) return null;
    const cached = parsedSettings.get(userId);
    if (cached?.json === row.settingsJson) return cached.settings;
    // A row that fails today's schema (saved before limits had maxima, or damaged) reads as the
    // nearest safe settings instead of failing every budget read and every task (see parseStoredSettings).
    const settings = parseStoredSettings(jsonOrNull(row.settingsJson));
    parsedSettings.set(userId, { json: row.settingsJson, settings });
    return settings;
  }

  function storedTotals(query: UsageQuery): StoredTotals {
    changes?.foldForPerson(query.userId, query.task?.id ?? null);
    const row = statements.readTotals.get({
      userId: query.userId,
      serviceId: query.serviceId,
      periodKey: query.period.periodKey,
      startsAtMs: query.period.startsAtMs,
      endsAtMs: query.period.endsAtMs,
      taskId: query.task?.id ?? null,
    });
    if (row === undefined) return { month: null, service: null, task: null, periodRecorded: false, periodLimitJson: null };
    const task = storedFigures(row, 'task');
    return {
      month: storedFigures(row, 'month'),
      service: storedFigures(row, 'service'),
      task: task === null ? null : Object.assign(task, { firstAtMs: row.task_first_at ?? 0, lastAtMs: row.task_last_at ?? 0 }),
      periodRecorded: row.period_recorded === 1,
      periodLimitJson: row.period_limit_json,
    };
  }

  /** One task's row, as readTotals reads it when the month's row exists. */
  function storedTask(userId: string, taskId: string): StoredTotals['task'] {
    changes?.foldForTask(userId, taskId);
    const row = statements.readTask.get({ userId, taskId });
    if (row === undefined) return null;
    return Object.assign(figuresOf(row), { firstAtMs: row.firstAtMs, lastAtMs: row.lastAtMs });
  }

  /** Every service's row in the query's window, as the totals were just read (memory learns them all). */
  function storedServices({ userId, period }: UsageQuery): Map<string, UsageTotals> {
    const rows = statements.readServices.all({ userId, startsAtMs: period.startsAtMs, endsAtMs: period.endsAtMs });
    return new Map(rows.map((row) => [row.serviceId, figuresOf(row)]));
  }

  function parseLimit(json: string | null): MoneyLimit | null {
    return json === null ? null : parseStoredLimit(jsonOrNull(json));
  }

  return {
    /** The person's settings; null if they never saved any (callers fall back to the defaults). */
    findSettings(userId: string): GovernanceSettings | null {
      return memory === null ? storedSettings(userId) : memory.settings(userId, () => storedSettings(userId));
    },

    saveSettings(userId: string, settings: GovernanceSettings, nowMs: number): void {
      const settingsJson = JSON.stringify(governanceSettingsSchema.parse(settings));
      db.insert(governanceSettings)
        .values({ userId, settingsJson, updatedAtMs: nowMs })
        .onConflictDoUpdate({ target: governanceSettings.userId, set: { settingsJson, updatedAtMs: nowMs } })
        .run();
      memory?.settingsWritten(userId);
    },

    /** The month, service and task totals a query asks for, and whether its period is recorded. */
    readTotals(query: UsageQuery): StoredTotals {
      if (memory === null) return storedTotals(query);
      return memory.totals(query, () => storedTotals(query), (taskId) => storedTask(query.userId, taskId), () => storedServices(query));
    },

    /**
     * Adds a change to every total the scope counts in: the person's windows containing atMs, the
     * service's rows in them, the task's row. `create` (a new reservation) also creates missing service
     * and task rows; a resolution or credit only changes rows its reservation already made.
     */
    addToTotals(scope: UsageScope, change: UsageTotalsChange, create: boolean): void {
      const params = changeParams(scope, change);
      if (changes !== null) {
        changes.append(params, create);
        memory?.totalsChanged(scope, change, create);
        return;
      }
      // One statement for the windows' totals and the service's rows in them, which share a page.
      const touched = statements.addToWindows.all(params);
      const windows = touched.filter((row) => row.serviceId === '').length;
      // A window the service has no row in yet gets one, with this change as its figures.
      if (create && scope.serviceId !== null && touched.length - windows < windows) statements.insertMissingServices.run(params);
      if (scope.taskId !== null) {
        if (!create) statements.addToTask.run(params);
        else if (statements.addToTaskWidening.run(params).changes === 0) statements.insertTask.run(params);
      }
      memory?.totalsChanged(scope, change, create);
    },

    /**
     * Creates a window's totals once, under the write lock (IMMEDIATE, or a savepoint of the caller's
     * transaction), so no reservation can land between computing them and writing them and be missed.
     * `compute` reads the window's reservations; it runs only if the window does not exist yet.
     */
    createWindow(window: UsageWindow, compute: () => { month: UsageTotals; services: Map<string, UsageTotals> }): void {
      statements.createWindow.immediate(window, compute, () => changes?.foldAll());
      memory?.windowCreated(window.userId);
    },

    /** A person's reservations made in [fromMs, toMs), with their resolutions; all users' when no userId. */
    reservations(range: { userId?: string; fromMs: number; toMs: number }): ReservationUsageRow[] {
      return range.userId === undefined
        ? statements.allReservations.all({ fromMs: range.fromMs, toMs: range.toMs })
        : statements.userReservations.all({ userId: range.userId, fromMs: range.fromMs, toMs: range.toMs });
    },

    /** Refund credits for a person's spends reserved in [fromMs, toMs); all users' when no userId. */
    credits(range: { userId?: string; fromMs: number; toMs: number }): CreditUsageRow[] {
      return range.userId === undefined
        ? statements.allCredits.all({ fromMs: range.fromMs, toMs: range.toMs })
        : statements.userCredits.all({ userId: range.userId, fromMs: range.fromMs, toMs: range.toMs });
    },

    /** Every stored total, for audits. */
    allTotals(): StoredTotalsRows {
      changes?.foldAll();
      return {
        month: statements.allMonths.all(),
        service: statements.allServices.all(),
        task: statements.allTasks.all(),
      };
    },

    recordPeriod(query: UsageQuery, record: { timeZone: string; limitJson: string | null; nowMs: number }): void {
      const { period } = query;
      recordPeriod.run({ userId: query.userId, periodKey: period.periodKey, startsAtMs: period.startsAtMs, endsAtMs: period.endsAtMs, ...record });
      memory?.periodRecorded(query, record.limitJson);
    },

    /** Periods the person has spent in, newest first. */
    listPeriods(userId: string): BudgetPeriodRecord[] {
      return drizzleStatements.periods.all({ userId }).map((row) => ({
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
      reservedAtMs: number;
      createdAtMs: number;
    }): boolean {
      return statements.insertCredit.run(credit).changes === 1;
    },

    firedThresholds(userId: string, periodKey: string): number[] {
      return drizzleStatements.firedThresholds.all({ userId, periodKey }).map((row) => row.thresholdPercent);
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

function prepareUsageStatements(sqlite: DatabaseHandle['sqlite']) {
  const windowExists = sqlite.prepare<UsageWindow, { found: 1 }>(`
    SELECT 1 AS found FROM governance_window_usage
    WHERE user_id = @userId AND starts_at_ms = @startsAtMs AND ends_at_ms = @endsAtMs AND ${WHOLE_WINDOW}`);
  // A window's total is inserted with the empty service id.
  const insertRow = sqlite.prepare<Params>(`
    INSERT INTO governance_window_usage
      (user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
    VALUES (@userId, @startsAtMs, @endsAtMs, @serviceId, @posted, @pending, @fee, @credit)`);
  const figureParams = (totals: UsageTotals) => ({
    posted: totals.postedMsat,
    pending: totals.pendingMsat,
    fee: totals.feeReserveMsat,
    credit: totals.refundCreditMsat,
  });
  return {
    readTotals: sqlite.prepare<Params, TotalsRow>(TOTALS_SQL),
    readServices: sqlite.prepare<Params, FiguresRow & { serviceId: string }>(
      `SELECT service_id AS serviceId, ${FIGURES} FROM governance_window_usage
       WHERE user_id = @userId AND starts_at_ms = @startsAtMs AND ends_at_ms = @endsAtMs AND service_id <> ''`,
    ),
    readTask: sqlite.prepare<Params, FiguresRow & { firstAtMs: number; lastAtMs: number }>(
      `SELECT ${FIGURES}, first_at_ms AS firstAtMs, last_at_ms AS lastAtMs FROM governance_task_usage WHERE user_id = @userId AND task_id = @taskId`,
    ),
    // A null service id matches only the windows' totals.
    addToWindows: sqlite.prepare<Params, { serviceId: string }>(
      `UPDATE governance_window_usage SET ${ADD} WHERE ${CONTAINS} AND service_id IN ('', @serviceId) RETURNING service_id AS serviceId`,
    ),
    insertMissingServices: sqlite.prepare<Params>(`
      INSERT INTO governance_window_usage
        (user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
      SELECT user_id, starts_at_ms, ends_at_ms, @serviceId, @posted, @pending, @fee, @credit
      FROM governance_window_usage WHERE ${CONTAINS} AND ${WHOLE_WINDOW}
      ON CONFLICT (user_id, starts_at_ms, ends_at_ms, service_id) DO NOTHING`),
    insertTask: sqlite.prepare<Params>(`
      INSERT INTO governance_task_usage
        (user_id, task_id, first_at_ms, last_at_ms, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat)
      VALUES (@userId, @taskId, @atMs, @atMs, @posted, @pending, @fee, @credit)`),
    addToTaskWidening: sqlite.prepare<Params>(`
      UPDATE governance_task_usage SET ${ADD}, first_at_ms = min(first_at_ms, @atMs), last_at_ms = max(last_at_ms, @atMs)
      WHERE user_id = @userId AND task_id = @taskId`),
    addToTask: sqlite.prepare<Params>(`UPDATE governance_task_usage SET ${ADD} WHERE user_id = @userId AND task_id = @taskId`),
    createWindow: sqlite.transaction(
      (window: UsageWindow, compute: () => { month: UsageTotals; services: Map<string, UsageTotals> }, foldChanges: () => void) => {
        if (window.endsAtMs - window.startsAtMs > LONGEST_WINDOW_MS) throw new Error(`a usage window longer than ${LONGEST_WINDOW_MS} ms`);
        // Changes made before the window existed are counted in it by compute(), from their
        // reservations: folded after it was made, they would count twice.
        foldChanges();
        // Re-checked under the lock: another connection may have created the window since we looked.
        if (windowExists.get(window) !== undefined) return;
        const { month, services } = compute();
        insertRow.run({ ...window, serviceId: '', ...figureParams(month) });
        for (const [serviceId, totals] of services) insertRow.run({ ...window, serviceId, ...figureParams(totals) });
      },
    ),
    userReservations: sqlite.prepare<Params, ReservationUsageRow>(
      `${RESERVATIONS_SQL} AND r.id IN (${USER_RESERVATION_IDS})`,
    ),
    allReservations: sqlite.prepare<Params, ReservationUsageRow>(
      `${RESERVATIONS_SQL} AND r.user_id IS NOT NULL AND r.created_at_ms >= @fromMs AND r.created_at_ms < @toMs`,
    ),
    userCredits: sqlite.prepare<Params, CreditUsageRow>(`
      SELECT user_id AS userId, service_id AS serviceId, task_id AS taskId, reserved_at_ms AS reservedAtMs, amount_msat AS amountMsat
      FROM governance_credits WHERE user_id = @userId AND reserved_at_ms >= @fromMs AND reserved_at_ms < @toMs`),
    allCredits: sqlite.prepare<Params, CreditUsageRow>(`
      SELECT user_id AS userId, service_id AS serviceId, task_id AS taskId, reserved_at_ms AS reservedAtMs, amount_msat AS amountMsat
      FROM governance_credits WHERE reserved_at_ms >= @fromMs AND reserved_at_ms < @toMs`),
    insertCredit: sqlite.prepare<Params>(`
      INSERT INTO governance_credits
        (ledger_transfer_id, user_id, period_key, service_id, task_id, amount_msat, reserved_at_ms, created_at_ms)
      VALUES (@ledgerTransferId, @userId, @periodKey, @serviceId, @taskId, @amountMsat, @reservedAtMs, @createdAtMs)
      ON CONFLICT (ledger_transfer_id) DO NOTHING`),
    allMonths: sqlite.prepare<[], UsageWindow & UsageTotals>(
      `SELECT user_id AS userId, starts_at_ms AS startsAtMs, ends_at_ms AS endsAtMs, ${FIGURES} FROM governance_window_usage WHERE ${WHOLE_WINDOW}`,
    ),
    allServices: sqlite.prepare<[], UsageWindow & UsageTotals & { serviceId: string }>(`
      SELECT user_id AS userId, starts_at_ms AS startsAtMs, ends_at_ms AS endsAtMs, service_id AS serviceId, ${FIGURES}
      FROM governance_window_usage WHERE service_id <> ''`),
    allTasks: sqlite.prepare<[], { userId: string; taskId: string; firstAtMs: number; lastAtMs: number } & UsageTotals>(`
      SELECT user_id AS userId, task_id AS taskId, first_at_ms AS firstAtMs, last_at_ms AS lastAtMs, ${FIGURES}
      FROM governance_task_usage`),
  };
}
