// Migration 0029 puts each window's total and its services' totals in one table: every month row
// becomes the window's row (service id ''), every service row comes through unchanged, and the
// table is WITHOUT ROWID, keyed by person first. The totals read the same through governance after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client';
import { sqliteMigrationsBefore } from '../../db/migrations-before';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';
import { createGovernance } from './governance';

const FIGURES = 'posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat';
const MARCH = { startsAtMs: Date.parse('2026-03-01T00:00:00Z'), endsAtMs: Date.parse('2026-04-01T00:00:00Z') };
const MARCH_IN_NEW_YORK = { startsAtMs: MARCH.startsAtMs + 5 * 3_600_000, endsAtMs: MARCH.endsAtMs + 4 * 3_600_000 };

// PostgreSQL's counterpart does the same copy; the schema parity test holds the two tables alike.
describe.skipIf(onPostgres)('migration 0029: window and service usage in one table', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-window-usage-migration-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every figure, keyed by person first without a rowid, and governance reads them as before', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    migrate(drizzle(old), { migrationsFolder: sqliteMigrationsBefore(dir, '0029') });
    const month = old.prepare('INSERT INTO governance_month_usage VALUES (?, ?, ?, ?, ?, ?, ?)');
    const service = old.prepare('INSERT INTO governance_service_usage VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    month.run('alice', MARCH.startsAtMs, MARCH.endsAtMs, 46_500, 19_500, 500, 1_000);
    month.run('alice', MARCH_IN_NEW_YORK.startsAtMs, MARCH_IN_NEW_YORK.endsAtMs, 10, 20, 30, 0); // after a time-zone change
    month.run('bob', MARCH.startsAtMs, MARCH.endsAtMs, 0, 7_000, 0, 0);
    service.run('alice', MARCH.startsAtMs, MARCH.endsAtMs, 'jokes', 45_000, 0, 0, 1_000);
    service.run('alice', MARCH.startsAtMs, MARCH.endsAtMs, 'weather', 1_500, 19_500, 500, 0);
    service.run('bob', MARCH.startsAtMs, MARCH.endsAtMs, 'jokes', 0, 7_000, 0, 0);
    service.run('bob', MARCH.startsAtMs, MARCH.endsAtMs, '', 1, 1, 1, 0); // no such service: not kept
    const months = old.prepare(`SELECT user_id, starts_at_ms, ends_at_ms, ${FIGURES} FROM governance_month_usage ORDER BY 1, 2`).all();
    const services = old.prepare(`SELECT user_id, starts_at_ms, ends_at_ms, service_id, ${FIGURES} FROM governance_service_usage WHERE service_id <> '' ORDER BY 1, 2, 4`).all();
    old.close();

    const migrated = openDatabase(path);
    try {
      const { sqlite } = migrated;
      expect(sqlite.prepare(`SELECT user_id, starts_at_ms, ends_at_ms, ${FIGURES} FROM governance_window_usage WHERE service_id = '' ORDER BY 1, 2`).all()).toEqual(months);
      expect(sqlite.prepare(`SELECT user_id, starts_at_ms, ends_at_ms, service_id, ${FIGURES} FROM governance_window_usage WHERE service_id <> '' ORDER BY 1, 2, 4`).all()).toEqual(services);
      const key = sqlite.prepare("SELECT name FROM pragma_table_info('governance_window_usage') WHERE pk > 0 ORDER BY pk").all();
      expect(key).toEqual([{ name: 'user_id' }, { name: 'starts_at_ms' }, { name: 'ends_at_ms' }, { name: 'service_id' }]);
      const { sql } = sqlite.prepare("SELECT sql FROM sqlite_schema WHERE name = 'governance_window_usage'").get() as { sql: string };
      expect(sql).toMatch(/WITHOUT ROWID\s*$/);
      const gone = sqlite.prepare("SELECT name FROM sqlite_schema WHERE name IN ('governance_month_usage', 'governance_service_usage')").all();
      expect(gone).toEqual([]);

      const governance = createGovernance(migrated, { now: () => MARCH.startsAtMs + 86_400_000 });
      const period = { periodKey: '2026-03', ...MARCH };
      expect(governance.usage({ userId: 'alice', period, serviceId: 'weather', task: null })).toEqual({
        month: { postedMsat: 46_500, pendingMsat: 19_500, feeReserveMsat: 500, refundCreditMsat: 1_000 },
        service: { postedMsat: 1_500, pendingMsat: 19_500, feeReserveMsat: 500, refundCreditMsat: 0 },
        task: { postedMsat: 0, pendingMsat: 0, feeReserveMsat: 0, refundCreditMsat: 0 },
      });
      // The window's own row is never read as a service's.
      expect(governance.usage({ userId: 'bob', period, serviceId: '', task: null }).service).toEqual({ postedMsat: 0, pendingMsat: 0, feeReserveMsat: 0, refundCreditMsat: 0 });
    } finally {
      migrated.close();
    }
  });
});
