// Migration 0027 on a database at 0026 whose reservations moved money into reserved accounts (written
// here as the ledger wrote them then: a reserve, post or void with its entries). After it every
// reserved balance is 0, each user's held money is back in their available account by one appended
// transfer, the pending holds equal the pending reservations, userBalances() answers what it answered
// before, and the reservations made before it still post, void and expire, conserving money.
// Runs on SQLite and, under npm run test:postgres, on PostgreSQL (its migrations-pg counterpart).
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
import { PostgresDatabase } from '../../db/postgres/connection';
import { MIGRATIONS_TABLE, postgresMigrations } from '../../db/postgres-migrations';
import { onPostgres, testDatabaseLocation } from '../../../scripts/postgres/test-backend/locations';
import { canonicalJson } from './canonical-json';
import { createLedger, providerAccount, routingFeesAccount } from './index';

const T0 = Date.UTC(2026, 5, 1);
const BEFORE = '0027';

/** The statements this test writes the old rows with: better-sqlite3, or PostgreSQL's synchronous connection. */
type Connection = Pick<Database.Database, 'prepare' | 'close'>;

/** A database migrated through 0026, on the test's backend. */
function databaseAt0026(dir: string, path: string): Connection {
  if (onPostgres) {
    const connection = new PostgresDatabase(testDatabaseLocation(path));
    connection.transaction(() => {
      connection.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ("tag" text PRIMARY KEY, "applied_at_ms" bigint NOT NULL)`);
      for (const migration of postgresMigrations().filter((m) => m.tag < BEFORE)) {
        connection.execUntranslated(migration.sql);
        connection.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("tag", "applied_at_ms") VALUES (?, ?)`).run(migration.tag, T0);
      }
    })();
    return connection as unknown as Connection;
  }
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: sqliteMigrationsBefore(dir, BEFORE) });
  return sqlite;
}

/** The ledger as it wrote rows before holds: every reservation and resolution moved money by entries. */
function oldLedger(db: Connection) {
  const accounts = new Map<string, number>();
  const account = (code: string, kind: string, owner: string | null): number => {
    const known = accounts.get(code);
    if (known !== undefined) return known;
    const floor = kind === 'stripe' ? 'unbounded' : 'non_negative';
    const id = Number(
      db.prepare('INSERT INTO ledger_accounts (code, kind, owner_user_id, floor, created_at_ms) VALUES (?, ?, ?, ?, ?)').run(code, kind, owner, floor, T0)
        .lastInsertRowid,
    );
    accounts.set(code, id);
    return id;
  };
  const available = (userId: string) => account(`user:${userId}:available`, 'user_available', userId);
  const reserved = (userId: string) => account(`user:${userId}:reserved`, 'user_reserved', userId);
  const jokes = () => account('provider:jokes', 'provider', null);
  const write = (row: Record<string, string | number | null>, entries: [number, number][]): number => {
    const columns = Object.keys(row);
    const id = Number(
      db.prepare(`INSERT INTO ledger_transfers (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...Object.values(row))
        .lastInsertRowid,
    );
    const entry = db.prepare('INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (?, ?, ?, ?)');
    for (const [accountId, amount] of entries) if (amount !== 0) entry.run(id, accountId, amount, T0);
    return id;
  };
  const reservations = new Map<number, { userId: string; amount: number }>();
  return {
    fund(userId: string, amount: number): void {
      const stripe = account('stripe', 'stripe', null);
      write(
        { idempotency_key: `fund:${userId}`, request_json: '{}', kind: 'transfer', debit_account_id: stripe, credit_account_id: available(userId), amount_msat: amount, created_at_ms: T0 },
        [[stripe, -amount], [available(userId), amount]],
      );
    },
    reserve(key: string, userId: string, amount: number, expiresAtMs: number): number {
      const id = write(
        {
          idempotency_key: key, request_json: '{}', kind: 'reserve', debit_account_id: available(userId), credit_account_id: reserved(userId),
          destination_account_id: jokes(), user_id: userId, amount_msat: amount, expires_at_ms: expiresAtMs, created_at_ms: T0,
        },
        [[available(userId), -amount], [reserved(userId), amount]],
      );
      reservations.set(id, { userId, amount });
      return id;
    },
    post(id: number, paid: number, fee: number): void {
      const { userId, amount } = reservations.get(id)!;
      const fees = account('routing_fees', 'routing_fees', null);
      write(
        {
          idempotency_key: `post:${id}`, request_json: '{}', kind: 'post', pending_id: id, debit_account_id: reserved(userId), credit_account_id: jokes(),
          destination_account_id: jokes(), user_id: userId, amount_msat: paid, fee_msat: fee, created_at_ms: T0,
        },
        [[reserved(userId), -amount], [jokes(), paid], [fees, fee], [available(userId), amount - paid - fee]],
      );
    },
    void(id: number): void {
      const { userId, amount } = reservations.get(id)!;
      write(
        {
          idempotency_key: `void:${id}`, request_json: '{}', kind: 'void', pending_id: id, debit_account_id: reserved(userId),
          credit_account_id: available(userId), user_id: userId, amount_msat: amount, reason: 'failed', created_at_ms: T0,
        },
        [[reserved(userId), -amount], [available(userId), amount]],
      );
    },
  };
}

/** What userBalances() answered before holds: the two accounts' balances. */
function oldUserBalances(db: Connection, userId: string) {
  const balance = (code: string) =>
    (db.prepare('SELECT b.balance_msat AS balance FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id WHERE a.code = ?').get(code) as
      | { balance: number }
      | undefined)?.balance ?? 0;
  return { availableMsat: balance(`user:${userId}:available`), reservedMsat: balance(`user:${userId}:reserved`) };
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

describe('migration 0027: reservations become holds', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-holds-migration-'));
    path = join(dir, 'old.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves reserved money back to available, records the holds, and keeps every balance and reservation working', () => {
    const old = databaseAt0026(dir, path);
    const ids: Record<string, number> = {};
    try {
      const ledger = oldLedger(old);
      ledger.fund('alice', 100_000);
      ids.a1 = ledger.reserve('a1', 'alice', 40_000, T0 + 3_600_000); // pending
      ids.a2 = ledger.reserve('a2', 'alice', 10_000, T0 + 3_600_000);
      ledger.post(ids.a2, 7_000, 500);
      ids.a3 = ledger.reserve('a3', 'alice', 5_000, T0 + 3_600_000);
      ledger.void(ids.a3);
      ids.a4 = ledger.reserve('a4', 'alice', 3_000, T0 + 3_600_000); // pending
      ledger.fund('bob', 20_000);
      ids.b1 = ledger.reserve('b1', 'bob', 20_000, T0 + 3_600_000); // all of bob's money, pending
      ledger.fund('carol', 5_000);
      ids.c1 = ledger.reserve('c1', 'carol', 2_000, T0 + 1_000); // pending, past its expiry after the migration
      ledger.fund('dave', 8_000);
      ids.d1 = ledger.reserve('d1', 'dave', 8_000, T0 + 3_600_000);
      ledger.post(ids.d1, 8_000, 0); // a reserved account that exists with nothing in it
      ledger.fund('erin', 1_000); // never reserved
    } catch (error) {
      old.close();
      throw error;
    }
    const before = Object.fromEntries(USERS.map((userId) => [userId, oldUserBalances(old, userId)]));
    old.close();
    expect(before).toEqual({
      alice: { availableMsat: 49_500, reservedMsat: 43_000 },
      bob: { availableMsat: 0, reservedMsat: 20_000 },
      carol: { availableMsat: 3_000, reservedMsat: 2_000 },
      dave: { availableMsat: 0, reservedMsat: 0 },
      erin: { availableMsat: 1_000, reservedMsat: 0 },
    });

    const startedAtMs = Date.now();
    const handle = openDatabase(path); // runs 0027
    try {
      const finishedAtMs = Date.now();
      const ledger = createLedger(handle, { now: () => T0 + 60_000 });
      ledger.checkInvariants();
      expect(Object.fromEntries(USERS.map((userId) => [userId, ledger.userBalances(userId)]))).toEqual(before);
      const sql = handle.sqlite;
      expect(sql.prepare("SELECT a.code AS code, coalesce(b.balance_msat, 0) AS balance FROM ledger_accounts a LEFT JOIN ledger_balances b ON b.account_id = a.id WHERE a.kind = 'user_reserved' ORDER BY a.code").all()).toEqual([
        { code: 'user:alice:reserved', balance: 0 },
        { code: 'user:bob:reserved', balance: 0 },
        { code: 'user:carol:reserved', balance: 0 },
        { code: 'user:dave:reserved', balance: 0 },
      ]);
      expect(sql.prepare('SELECT user_id AS userId, pending_msat AS pending FROM ledger_pending_holds ORDER BY user_id').all()).toEqual([
        { userId: 'alice', pending: 43_000 },
        { userId: 'bob', pending: 20_000 },
        { userId: 'carol', pending: 2_000 },
      ]);

      // One appended transfer per user whose reserved account held money, with the ledger's own request.
      const moves = sql
        .prepare(`SELECT idempotency_key AS key, request_json AS request, kind, reason, amount_msat AS amount, fee_msat AS fee, created_at_ms AS at
          FROM ledger_transfers WHERE reason = 'holds_migration' ORDER BY id`)
        .all() as { key: string; request: string; kind: string; reason: string; amount: number; fee: number; at: number }[];
      const request = (userId: string, amountMsat: number) =>
        canonicalJson({ op: 'transfer', debit: `user:${userId}:reserved`, credit: `user:${userId}:available`, amountMsat, reason: 'holds_migration', metadata: null });
      expect(moves.map(({ at: _at, ...move }) => move)).toEqual([
        { key: 'holds-migration:alice', request: request('alice', 43_000), kind: 'transfer', reason: 'holds_migration', amount: 43_000, fee: 0 },
        { key: 'holds-migration:bob', request: request('bob', 20_000), kind: 'transfer', reason: 'holds_migration', amount: 20_000, fee: 0 },
        { key: 'holds-migration:carol', request: request('carol', 2_000), kind: 'transfer', reason: 'holds_migration', amount: 2_000, fee: 0 },
      ]);
      for (const { at } of moves) {
        expect(at).toBeGreaterThanOrEqual(startedAtMs - 1);
        expect(at).toBeLessThanOrEqual(finishedAtMs + 1);
      }
      const entries = sql.prepare(`SELECT a.code AS code, e.amount_msat AS amount FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
        JOIN ledger_transfers t ON t.id = e.transfer_id WHERE t.idempotency_key = 'holds-migration:bob' ORDER BY e.amount_msat`).all();
      expect(entries).toEqual([{ code: 'user:bob:reserved', amount: -20_000 }, { code: 'user:bob:available', amount: 20_000 }]);

      // Held money stays held: bob cannot spend what his old reservation holds.
      expect(ledger.reserve({ idempotencyKey: 'b2', userId: 'bob', destination: providerAccount('jokes'), amountMsat: msat(1), expiresAtMs: T0 + 3_600_000 })).toEqual({
        ok: false,
        reason: 'insufficient_funds',
      });

      // The reservations made before the migration resolve under the new rules, conserving money.
      const providerBefore = ledger.balanceMsat(providerAccount('jokes'));
      const feesBefore = ledger.balanceMsat(routingFeesAccount);
      expect(ledger.post({ idempotencyKey: 'p-a1', reservationId: ids.a1!, amountMsat: msat(30_000), feeMsat: msat(1_000) }).ok).toBe(true);
      expect(ledger.void({ idempotencyKey: 'v-a4', reservationId: ids.a4!, reason: 'failed' }).ok).toBe(true);
      expect(ledger.post({ idempotencyKey: 'p-b1', reservationId: ids.b1!, amountMsat: msat(20_000), feeMsat: msat(0) }).ok).toBe(true);
      expect(ledger.expire().expired.map((r) => r.id)).toEqual([ids.c1]);
      expect(ledger.userBalances('alice')).toEqual({ availableMsat: 49_500 + 43_000 - 31_000, reservedMsat: 0 });
      expect(ledger.userBalances('bob')).toEqual({ availableMsat: 0, reservedMsat: 0 });
      expect(ledger.userBalances('carol')).toEqual({ availableMsat: 5_000, reservedMsat: 0 });
      expect(ledger.balanceMsat(providerAccount('jokes')) - providerBefore).toBe(50_000);
      expect(ledger.balanceMsat(routingFeesAccount) - feesBefore).toBe(1_000);
      expect(ledger.pendingReservations()).toEqual([]);
      ledger.checkInvariants();
    } finally {
      handle.close();
    }
  });
});
