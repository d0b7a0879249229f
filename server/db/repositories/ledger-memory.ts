// The writer's memory of ledger accounts (server/db/writer-memory.ts says when it may be used): account
// rows, which never change once written; each account's balance (ledger_balances, which the entries'
// trigger keeps); each user's pending holds (ledger_pending_holds with the transfers after the fold
// mark, ledger-folds.ts: a fold changes neither part's sum). A reservation's funds check then
// reads memory instead of a three-account statement. Every write of those rows goes through the
// ledger repository, which tells this memory the same change its SQL made: an inserted account (with
// no balance yet), entries added to balances, a hold added or released. ledger-memory.test.ts compares
// memory with the database after random ledger operations in every kind of transaction.
import type Database from 'better-sqlite3';
import type { LedgerAccountRow } from '../schema/ledger';
import { memoryPartOf, type WriterMemory } from '../writer-memory';

/** An account with its balance and, for a user's own accounts, the user's pending holds (else 0). */
export interface AccountFunds {
  account: LedgerAccountRow;
  balanceMsat: number;
  pendingHoldsMsat: number;
}

/** Owners (writer-memory's unit of forgetting) are account codes, and this prefix + a user id for holds. */
const HOLDS = 'holds:';
/** Past this many accounts, memory starts again (a cache, not a copy of the table). */
const MAX_ACCOUNTS = 100_000;

/** The person whose pending holds an account's funds are net of: its owner, for a user's available or reserved account. */
export const holdsOwner = (row: LedgerAccountRow): string | null =>
  (row.kind === 'user_available' || row.kind === 'user_reserved') && row.ownerUserId !== null ? row.ownerUserId : null;

export type LedgerMemory = ReturnType<typeof createLedgerMemory>;

function createLedgerMemory(writer: WriterMemory) {
  /** By code; null: known not to exist. */
  const rows = new Map<string, LedgerAccountRow | null>();
  const byId = new Map<number, LedgerAccountRow>();
  const balances = new Map<number, number>();
  /** By user id. */
  const holds = new Map<string, number>();

  function forgetAccount(code: string): void {
    const row = rows.get(code);
    rows.delete(code);
    if (!row) return;
    byId.delete(row.id);
    balances.delete(row.id);
  }
  writer.register({
    forget: (owner) => (owner.startsWith(HOLDS) ? holds.delete(owner.slice(HOLDS.length)) : forgetAccount(owner)),
    forgetAll: () => {
      rows.clear();
      byId.clear();
      balances.clear();
      holds.clear();
    },
  });

  function rememberRow(row: LedgerAccountRow): void {
    if (rows.size >= MAX_ACCOUNTS) {
      rows.clear();
      byId.clear();
      balances.clear();
    }
    rows.set(row.code, row);
    byId.set(row.id, row);
  }

  /** The funds of one remembered account; undefined when any part of them is not known. */
  function recalled(row: LedgerAccountRow): AccountFunds | undefined {
    const balanceMsat = balances.get(row.id);
    if (balanceMsat === undefined) return undefined;
    const user = holdsOwner(row);
    if (user === null) return { account: row, balanceMsat, pendingHoldsMsat: 0 };
    writer.readable(HOLDS + user); // journals the user's holds in a batch
    const pendingHoldsMsat = holds.get(user);
    return pendingHoldsMsat === undefined ? undefined : { account: row, balanceMsat, pendingHoldsMsat };
  }

  function learn(codes: readonly string[], found: Map<string, AccountFunds>): Map<string, AccountFunds> {
    for (const code of codes) {
      const funds = found.get(code);
      if (funds === undefined) {
        rows.set(code, null);
        continue;
      }
      rememberRow(funds.account);
      balances.set(funds.account.id, funds.balanceMsat);
      const user = holdsOwner(funds.account);
      if (user !== null && writer.readable(HOLDS + user)) holds.set(user, funds.pendingHoldsMsat);
    }
    return found;
  }

  return {
    /** Those of the accounts that exist, with their funds: from memory when it may and knows them all, else `read`. */
    funds(codes: readonly string[], read: () => Map<string, AccountFunds>): Map<string, AccountFunds> {
      // Whether memory may be used depends on the transaction, not the owner: each call journals one.
      if (!codes.every((code) => writer.readable(code))) return read();
      const found = new Map<string, AccountFunds>();
      for (const code of codes) {
        const row = rows.get(code);
        if (row === null) continue;
        const funds = row === undefined ? undefined : recalled(row);
        if (funds === undefined) return learn(codes, read());
        found.set(code, funds);
      }
      return found;
    },

    /** An account row by code (rows never change): from memory when it may, else `read`, remembered. */
    accountByCode(code: string, read: () => LedgerAccountRow | undefined): LedgerAccountRow | undefined {
      if (!writer.readable(code)) return read();
      const known = rows.get(code);
      if (known !== undefined) return known ?? undefined;
      const row = read();
      if (row === undefined) rows.set(code, null);
      else rememberRow(row);
      return row;
    },

    accountById(id: number, read: () => LedgerAccountRow | undefined): LedgerAccountRow | undefined {
      const known = byId.get(id);
      if (known !== undefined && writer.readable(known.code)) return known;
      const row = read();
      if (row !== undefined && writer.readable(row.code)) rememberRow(row);
      return row;
    },

    /** An account's balance by id, when memory may be used and knows it; else `read`. */
    balance(accountId: number, read: () => number): number {
      const row = byId.get(accountId);
      const known = row === undefined ? undefined : balances.get(accountId);
      return known !== undefined && row !== undefined && writer.readable(row.code) ? known : read();
    },

    /** After an account was inserted: it exists, with no balance yet. */
    accountInserted(row: LedgerAccountRow): void {
      if (!writer.wrote(row.code)) return;
      rememberRow(row);
      balances.set(row.id, 0);
    },

    /** After entries were inserted: each remembered balance moves by its entry, as the trigger moved the row. */
    entriesInserted(entries: readonly { accountId: number; amountMsat: number }[]): void {
      for (const { accountId, amountMsat } of entries) {
        const row = byId.get(accountId);
        if (row === undefined || !writer.wrote(row.code)) continue;
        const balance = balances.get(accountId);
        if (balance !== undefined) balances.set(accountId, balance + amountMsat);
      }
    },

    /** After a user's pending holds grew (`amountMsat` > 0) or shrank (< 0, when the UPDATE found the row). */
    holdsChanged(userId: string, amountMsat: number): void {
      if (!writer.wrote(HOLDS + userId)) return;
      const pending = holds.get(userId);
      if (pending !== undefined) holds.set(userId, pending + amountMsat);
    },
  };
}

/** One memory per connection, shared by every ledger repository on it; null on PostgreSQL. */
export function ledgerMemoryOf(sqlite: Database.Database): LedgerMemory | null {
  return memoryPartOf(sqlite, createLedgerMemory);
}
