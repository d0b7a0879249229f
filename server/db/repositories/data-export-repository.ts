// Reads every row that holds one person's data, table by table, for "export all my data". The table
// list comes from the schema itself, so a table added later is exported (or refused by the test
// beside it) without anyone remembering this file.
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../client';
import * as schema from '../schema';

/** How a table's rows are tied to a person; `:userId` is the only parameter. */
const LINKED_BY: Readonly<Record<string, string>> = {
  // Tables with no user column of their own, reached through their parent.
  task_steps: 'task_id IN (SELECT id FROM tasks WHERE user_id = :userId)',
  ledger_entries: 'account_id IN (SELECT id FROM ledger_accounts WHERE owner_user_id = :userId)',
  ledger_balances: 'account_id IN (SELECT id FROM ledger_accounts WHERE owner_user_id = :userId)',
  // A transfer names its user on reservations only; every other one is found by the person's accounts.
  ledger_transfers:
    'user_id = :userId OR debit_account_id IN (SELECT id FROM ledger_accounts WHERE owner_user_id = :userId)' +
    ' OR credit_account_id IN (SELECT id FROM ledger_accounts WHERE owner_user_id = :userId)',
  users: 'id = :userId',
};

/**
 * Tables that hold nobody's personal data, and why; every other table must be tied to its person
 * (data-export-repository.test.ts fails on a table in neither list).
 */
export const NOT_PERSONAL: Readonly<Record<string, string>> = {
  catalog_price_history: 'prices services advertised, the same for everyone',
  stripe_events: "Stripe's event ids, kept once each so a redelivered event is not applied twice",
  pause_policy: "the operators' auto-pause threshold, the same for everyone",
  service_pauses: 'services an operator or the auto-pause rule paused for everyone',
  rate_limit_windows: 'counts of recent attempts per address, person or agent key, kept only until their window (an hour at most) ends',
  work_leases: 'which instance works on which background item now: a job, an id and an expiry, deleted when the work ends',
  ledger_fold_mark: 'how far the ledger has folded its transfers into the per-person tables: one transfer id',
};

/**
 * Columns that hold a secret or a one-way hash of one: shown as "[redacted]". A copy of the export
 * must not let anyone sign in, use a wallet or replay a paid token.
 */
export const REDACTED_COLUMNS: ReadonlySet<string> = new Set([
  'password_hash',
  'token_hash',
  'code_hash',
  'key_hash',
  'secret_ciphertext',
  'nwc_url_ciphertext',
  'macaroon_sealed',
  'preimage_sealed',
]);
export const REDACTED = '[redacted]';

export type ExportRow = Record<string, unknown>;

/** Every table in the schema, by SQL name, with its column names. */
export function schemaTables(): { name: string; columns: string[] }[] {
  return Object.values(schema as Record<string, unknown>)
    .filter((value): value is SQLiteTable => is(value, SQLiteTable))
    .map((table) => {
      const config = getTableConfig(table);
      return { name: config.name, columns: config.columns.map((column) => column.name) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The condition tying a table's rows to a person, or null for a table of nobody's data. */
export function personalCondition(table: { name: string; columns: string[] }): string | null {
  const explicit = LINKED_BY[table.name];
  if (explicit) return explicit;
  if (table.columns.includes('user_id')) return 'user_id = :userId';
  if (table.columns.includes('owner_user_id')) return 'owner_user_id = :userId';
  return null;
}

function redact(row: ExportRow): ExportRow {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, REDACTED_COLUMNS.has(column) && value !== null ? REDACTED : value]));
}

export function createDataExportRepository(db: Db) {
  const sqlite = db.$client;
  return {
    /** Each personal table's rows for `userId` (secrets redacted), tables by name, rows in primary-key order. */
    rowsFor(userId: string): Record<string, ExportRow[]> {
      const tables: Record<string, ExportRow[]> = {};
      for (const table of schemaTables()) {
        const condition = personalCondition(table);
        if (!condition) continue;
        const rows = sqlite.prepare(`SELECT * FROM "${table.name}" WHERE ${condition}`).all({ userId }) as ExportRow[];
        tables[table.name] = rows.map(redact);
      }
      return tables;
    },
  };
}
