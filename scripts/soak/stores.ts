/**
 * Reads what the checks need from the two stores the servers left behind, opened read-only after they
 * stopped: the app's database (steward.db, or the run's PostgreSQL database) and the sandbox's Lightning
 * network (data/sandbox/sandbox.db). All SQL of the soak is here, written to read the same on both
 * databases (camelCase aliases quoted), so a schema change is adapted in this one module.
 */
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { join } from 'node:path';
import { isPostgresUrl } from '../../server/db/postgres/open';
import { PENDING_HOLDS_BY_USER } from '../../server/db/repositories/ledger-folds';
import { PostgresDatabase } from '../../server/db/postgres/connection';
import * as schema from '../../server/db/schema/index';
import { createGovernance } from '../../server/domain/governance';
import { createLedger } from '../../server/domain/ledger';
import type { AppPayment, CreditRecord, OverageGrant, ReservationRecord, StepRecord, WalletPayment } from './checks';

export interface AppStore {
  reservations: ReservationRecord[];
  credits: CreditRecord[];
  overages: OverageGrant[];
  payments: AppPayment[];
  steps: StepRecord[];
  /** Per user: the ledger's available and held balances (msat). */
  balances: Map<string, { availableMsat: number; heldMsat: number }>;
  timeZones: Map<string, string>;
  tasksByStatus: Record<string, number>;
  approvalsByStatus: Record<string, number>;
  /** Sats that reached providers (posted amounts, fees apart). */
  postedMsat: number;
  feesMsat: number;
  /** The ledger's checkInvariants() and governance's usage-totals audit, run on this read-only copy. */
  auditLedger(): void;
  auditUsageTotals(): void;
  close(): void;
}

const num = (value: unknown): number => Number(value ?? 0);

function openReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/**
 * The app's database where nothing can write: the SQLite file read-only, or a PostgreSQL session whose
 * transactions are all read-only (no migrations run: the servers applied them). The PostgreSQL
 * connection answers better-sqlite3's interface (server/db/postgres/connection.ts).
 */
function openAppReadOnly(location: string): Database.Database {
  if (!isPostgresUrl(location)) return openReadOnly(location);
  const url = new URL(location);
  url.searchParams.set('options', '-c default_transaction_read_only=on');
  return new PostgresDatabase(url.toString()) as unknown as Database.Database;
}

interface ReservationRow {
  id: number;
  user_id: string;
  created_at_ms: number;
  amount_msat: number;
  metadata_json: string | null;
  res_id: number | null;
  res_kind: 'post' | 'void' | 'expire' | null;
  res_amount: number | null;
  res_fee: number | null;
}

function readReservations(sqlite: Database.Database): ReservationRecord[] {
  const rows = sqlite
    .prepare(
      `SELECT r.id, r.user_id, r.created_at_ms, r.amount_msat, r.metadata_json,
         res.id AS res_id, res.kind AS res_kind, res.amount_msat AS res_amount, res.fee_msat AS res_fee
       FROM ledger_transfers r LEFT JOIN ledger_transfers res ON res.pending_id = r.id
       WHERE r.kind = 'reserve' ORDER BY r.id`,
    )
    .all() as ReservationRow[];
  return rows.map((row) => {
    const metadata = (row.metadata_json ? JSON.parse(row.metadata_json) : {}) as { taskId?: unknown; charge?: unknown };
    return {
      id: row.id,
      userId: row.user_id,
      taskId: typeof metadata.taskId === 'string' ? metadata.taskId : null,
      createdAtMs: row.created_at_ms,
      amountMsat: row.amount_msat,
      charge: typeof metadata.charge === 'string' ? metadata.charge : null,
      resolution: row.res_id === null || row.res_kind === null ? null : { id: row.res_id, kind: row.res_kind, amountMsat: num(row.res_amount), feeMsat: num(row.res_fee) },
    };
  });
}

/**
 * Each user's spendable and held money as userBalances() means them: a reservation moves no money, so
 * held is the user's pending holds and available their available account's balance (summed from the
 * entries, not the cache) less those holds.
 */
function readBalances(sqlite: Database.Database): Map<string, { availableMsat: number; heldMsat: number }> {
  const rows = sqlite
    .prepare(
      `SELECT a.owner_user_id AS "userId", coalesce(sum(e.amount_msat), 0) AS balance, coalesce(h.pending_msat, 0) AS held
       FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
       LEFT JOIN (${PENDING_HOLDS_BY_USER}) h ON h.user_id = a.owner_user_id
       WHERE a.kind = 'user_available' GROUP BY a.id, a.owner_user_id, h.pending_msat`,
    )
    .all() as { userId: string; balance: number; held: number }[];
  return new Map(rows.map((row) => [row.userId, { availableMsat: row.balance - row.held, heldMsat: row.held }]));
}

const countBy = (sqlite: Database.Database, table: 'tasks' | 'approvals'): Record<string, number> =>
  Object.fromEntries((sqlite.prepare(`SELECT status, count(*) AS n FROM ${table} GROUP BY status`).all() as { status: string; n: number }[]).map((r) => [r.status, r.n]));

/** `location`: the SQLite file or the PostgreSQL URL the servers ran on. */
export function readAppStore(location: string): AppStore {
  const sqlite = openAppReadOnly(location);
  const handle = { sqlite, db: drizzle(sqlite, { schema }) };
  const all = <T>(sql: string) => sqlite.prepare(sql).all() as T[];
  const posted = sqlite.prepare(`SELECT coalesce(sum(amount_msat), 0) AS amount, coalesce(sum(fee_msat), 0) AS fee FROM ledger_transfers WHERE kind = 'post'`).get() as { amount: number; fee: number };
  return {
    reservations: readReservations(sqlite),
    credits: all<CreditRecord>(`SELECT ledger_transfer_id AS "ledgerTransferId", user_id AS "userId", period_key AS "periodKey", task_id AS "taskId", amount_msat AS "amountMsat" FROM governance_credits`),
    overages: all<OverageGrant>(
      `SELECT user_id AS "userId", task_id AS "taskId", resolved_at_ms AS "approvedAtMs", overage_msat AS "overageMsat"
       FROM approvals WHERE status = 'approved' AND coalesce(overage_msat, 0) > 0`,
    ),
    payments: all<AppPayment>(
      `SELECT id, user_id AS "userId", payment_hash AS "paymentHash", idempotency_key AS "idempotencyKey", status, amount_msat AS "amountMsat", fee_msat AS "feeMsat" FROM payments`,
    ),
    steps: all<StepRecord>(`SELECT task_id AS "taskId", step_id AS "stepId", idempotency_key AS "idempotencyKey", payment_id AS "paymentId" FROM task_steps`),
    balances: readBalances(sqlite),
    timeZones: new Map(all<{ id: string; timeZone: string }>('SELECT id, time_zone AS "timeZone" FROM users').map((u) => [u.id, u.timeZone])),
    tasksByStatus: countBy(sqlite, 'tasks'),
    approvalsByStatus: countBy(sqlite, 'approvals'),
    postedMsat: posted.amount,
    feesMsat: posted.fee,
    auditLedger: () => createLedger(handle, { now: Date.now }).checkInvariants(),
    auditUsageTotals: () => createGovernance(handle, { now: Date.now }).checkUsageTotals(),
    close: () => sqlite.close(),
  };
}

export interface WalletStore {
  payments: WalletPayment[];
  /** Balance of every node (wallet) by name, e.g. `user:<id>`. */
  balances: Map<string, number>;
}

export function readWalletStore(dataDir: string): WalletStore {
  const sqlite = openReadOnly(join(dataDir, 'sandbox', 'sandbox.db'));
  try {
    const payments = sqlite
      .prepare('SELECT payment_hash AS "paymentHash", payer_node AS "payerNode", amount_msat AS "amountMsat", fee_msat AS "feeMsat" FROM ln_payments')
      .all() as WalletPayment[];
    const nodes = sqlite.prepare('SELECT name, balance_msat AS balance FROM ln_nodes').all() as { name: string; balance: number }[];
    return { payments, balances: new Map(nodes.map((n) => [n.name, n.balance])) };
  } finally {
    sqlite.close();
  }
}
