// Migration 0012 on a database built by the older migrations, whose usage totals the old triggers
// kept while real reservations were made, posted, voided and expired: after it, every figure is the
// same, the audit (the one rule, recomputed from the ledger) agrees, and new operations keep it so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import { sqliteMigrationsBefore } from '../../db/migrations-before';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount } from '../ledger';
import { budgetReservationMetadata } from './budget-precondition';
import { createGovernance } from './governance';
import { periodFor } from './period';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';

const MARCH_10 = Date.parse('2026-03-10T12:00:00Z');
const MARCH = periodFor(new Date(MARCH_10), 'UTC');

type Row = Record<string, number | string>;
// Months and services had tables of their own until migration 0029 put them in one (the window's row has service id '').
const usageTables = (db: Database.Database) =>
  db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'governance_window_usage'").get() === undefined
    ? { month: 'governance_month_usage', service: 'governance_service_usage' }
    : { month: "governance_window_usage WHERE service_id = ''", service: "governance_window_usage WHERE service_id <> ''" };
const figures = (db: Database.Database) => ({
  month: db.prepare(`SELECT user_id, starts_at_ms, ends_at_ms, posted_msat, pending_msat, fee_reserve_msat FROM ${usageTables(db).month} ORDER BY 1, 2`).all() as Row[],
  service: db.prepare(`SELECT user_id, service_id, posted_msat, pending_msat, fee_reserve_msat FROM ${usageTables(db).service} ORDER BY 1, 2`).all() as Row[],
  task: db.prepare('SELECT user_id, task_id, first_at_ms, last_at_ms, posted_msat, pending_msat, fee_reserve_msat FROM governance_task_usage ORDER BY 1, 2').all() as Row[],
});

// A step in SQLite's migration history; PostgreSQL's schema starts after it (migrations-pg/0000_baseline).
describe.skipIf(onPostgres)('migration 0012: usage triggers to typed columns', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-usage-migration-'));
    path = join(dir, 'old.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Spends on the old schema, the triggers keeping the totals; returns the figures they left. */
  function spendOnTheOldSchema() {
    const sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    migrate(drizzle(sqlite), { migrationsFolder: sqliteMigrationsBefore(dir, '0012') }); // usage still kept by triggers
    // Today's ledger keeps holds in 0027's table, finds a person's reservations through 0031's and folds
    // both up to 0032's mark: lent to it here, dropped below so the migrations make them.
    sqlite.exec('CREATE TABLE ledger_pending_holds (user_id text PRIMARY KEY NOT NULL, pending_msat integer NOT NULL CHECK (pending_msat >= 0))');
    sqlite.exec('CREATE TABLE ledger_reservations_by_user (transfer_id integer PRIMARY KEY NOT NULL, user_id text NOT NULL, created_at_ms integer NOT NULL)');
    sqlite.exec('CREATE TABLE ledger_fold_mark (id integer PRIMARY KEY NOT NULL, through_transfer_id integer NOT NULL); INSERT INTO ledger_fold_mark VALUES (1, 0)');
    const clock = { nowMs: MARCH_10 };
    // No observer: on this schema the triggers keep the totals, as the old code relied on.
    const ledger = createLedger({ db: drizzle(sqlite), sqlite }, { now: () => clock.nowMs });
    for (const userId of ['alice', 'bob']) {
      ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(10_000_000) });
      // The old first budget check created the window from a scan; these users had spent nothing yet.
      sqlite
        .prepare('INSERT INTO governance_month_usage VALUES (?, ?, ?, 0, 0, 0)')
        .run(userId, MARCH.startsAt.getTime(), MARCH.endsAt.getTime());
    }
    const reserve = (key: string, userId: string, serviceId: string, taskId: string | null, amount: number, fee: number) => {
      const result = ledger.reserve({
        idempotencyKey: key,
        userId,
        destination: providerAccount(serviceId),
        amountMsat: msat(amount),
        expiresAtMs: clock.nowMs + 60_000,
        metadata: budgetReservationMetadata({ serviceId, taskId, feeReserveMsat: msat(fee) }),
      });
      if (!result.ok) throw new Error(result.reason);
      return result.reservation.id;
    };
    const posted = reserve('r1', 'alice', 'jokes', 'task-1', 50_000, 2_000);
    expect(ledger.post({ idempotencyKey: 'p1', reservationId: posted, amountMsat: msat(45_000), feeMsat: msat(1_500) }).ok).toBe(true);
    const voided = reserve('r2', 'alice', 'weather', 'task-1', 30_000, 1_000);
    expect(ledger.void({ idempotencyKey: 'v2', reservationId: voided, reason: 'failed' }).ok).toBe(true);
    reserve('r4', 'bob', 'jokes', 'task-2', 10_000, 100); // expires below
    clock.nowMs += 120_000;
    expect(ledger.expire().expired).toHaveLength(1);
    reserve('r3', 'alice', 'weather', null, 20_000, 500); // stays pending
    reserve('r5', 'bob', 'jokes', 'task-2', 7_000, 0); // pending
    const before = figures(sqlite);
    sqlite.exec('DROP TABLE ledger_pending_holds; DROP TABLE ledger_reservations_by_user; DROP TABLE ledger_fold_mark');
    sqlite.close();
    return before;
  }

  it('keeps every usage figure, and the totals then follow the ledger by the one rule', () => {
    const before = spendOnTheOldSchema();
    expect(before.month).toEqual([
      expect.objectContaining({ user_id: 'alice', posted_msat: 46_500, pending_msat: 19_500, fee_reserve_msat: 500 }),
      expect.objectContaining({ user_id: 'bob', posted_msat: 0, pending_msat: 7_000, fee_reserve_msat: 0 }),
    ]);

    const handle = openDatabase(path); // runs 0012
    try {
      const triggers = handle.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'governance_usage%'").all();
      expect(triggers).toEqual([]);
      expect(figures(handle.sqlite)).toEqual(before);
      const credits = handle.sqlite.prepare(`SELECT sum(refund_credit_msat) AS total FROM ${usageTables(handle.sqlite).month}`).get() as { total: number };
      expect(credits.total).toBe(0);

      const governance = createGovernance(handle, { now: () => MARCH_10 + 300_000 });
      governance.checkUsageTotals();
      const query = { userId: 'alice', period: { periodKey: MARCH.periodKey, startsAtMs: MARCH.startsAt.getTime(), endsAtMs: MARCH.endsAt.getTime() } };
      expect(governance.usage({ ...query, serviceId: 'weather', task: { id: 'task-1', startedAtMs: MARCH_10 - 1 } })).toEqual({
        month: { postedMsat: 46_500, pendingMsat: 19_500, feeReserveMsat: 500, refundCreditMsat: 0 },
        service: { postedMsat: 0, pendingMsat: 19_500, feeReserveMsat: 500, refundCreditMsat: 0 },
        task: { postedMsat: 46_500, pendingMsat: 0, feeReserveMsat: 0, refundCreditMsat: 0 },
      });

      // The same database, new code: the observer now keeps the totals the triggers kept.
      const ledger = createLedger(handle, { now: () => MARCH_10 + 300_000, observer: governance.usageObserver });
      const pending = ledger.pendingReservations('alice')[0];
      if (pending === undefined) throw new Error('alice has a pending reservation');
      expect(ledger.post({ idempotencyKey: 'p3', reservationId: pending.id, amountMsat: msat(19_000), feeMsat: msat(300) }).ok).toBe(true);
      governance.checkUsageTotals();
      expect(governance.usage({ ...query, serviceId: 'weather', task: null }).month).toEqual({
        postedMsat: 65_800,
        pendingMsat: 0,
        feeReserveMsat: 0,
        refundCreditMsat: 0,
      });
    } finally {
      handle.close();
    }
  });
});
