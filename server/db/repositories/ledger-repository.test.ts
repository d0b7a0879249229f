import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';
import { openDatabase, type DatabaseHandle } from '../client';
import type { LedgerAccountRow } from '../schema/ledger';
import { createLedgerRepository, type LedgerRepository } from './ledger-repository';

let handle: DatabaseHandle;
let repo: LedgerRepository;
let available: LedgerAccountRow;
let reserved: LedgerAccountRow;
let provider: LedgerAccountRow;
let stripe: LedgerAccountRow;

beforeEach(() => {
  handle = openDatabase(':memory:');
  repo = createLedgerRepository(handle);
  const account = (code: string, kind: LedgerAccountRow['kind'], ownerUserId: string | null) =>
    repo.insertAccount({ code, kind, ownerUserId, floor: 'non_negative', createdAtMs: 1 });
  available = account('user:u:available', 'user_available', 'u');
  reserved = account('user:u:reserved', 'user_reserved', 'u');
  provider = account('provider:p', 'provider', null);
  stripe = repo.insertAccount({ code: 'stripe', kind: 'stripe', ownerUserId: null, floor: 'unbounded', createdAtMs: 1 });
});
afterEach(() => handle.close());

/** A top-up of the user's available account, with its two entries, as the ledger writes one. */
function fund(key: string, amountMsat: number) {
  const row = repo.insertTransfer({
    idempotencyKey: key,
    requestJson: '{}',
    kind: 'transfer',
    debitAccountId: stripe.id,
    creditAccountId: available.id,
    amountMsat,
    createdAtMs: 1,
  });
  repo.insertEntries(row.id, 1, [
    { accountId: stripe.id, amountMsat: -amountMsat },
    { accountId: available.id, amountMsat },
  ]);
  return row;
}

/** A hold, as the ledger writes one: the row and the user's pending total, no entries. */
function reserve(key: string, amountMsat: number, expiresAtMs: number) {
  const row = repo.insertTransfer({
    idempotencyKey: key,
    requestJson: '{}',
    kind: 'reserve',
    debitAccountId: available.id,
    creditAccountId: reserved.id,
    destinationAccountId: provider.id,
    userId: 'u',
    amountMsat,
    expiresAtMs,
    createdAtMs: 1,
  });
  repo.addPendingHold('u', amountMsat);
  return row;
}

/** A void, as the ledger writes one: the row, and the hold released. */
function voidReservation(pendingId: number, key: string) {
  const row = repo.insertTransfer({
    idempotencyKey: key,
    requestJson: '{}',
    kind: 'void',
    pendingId,
    debitAccountId: reserved.id,
    creditAccountId: available.id,
    userId: 'u',
    amountMsat: 0,
    createdAtMs: 2,
  });
  repo.releasePendingHold('u', repo.findTransferById(pendingId)?.amountMsat ?? 0);
  return row;
}
/** Adds to the recorded holds behind the ledger's back, as an audit must notice. */
const tamperHolds = (userId: string, byMsat: number) =>
  handle.sqlite
    .prepare('INSERT INTO ledger_pending_holds (user_id, pending_msat) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET pending_msat = ledger_pending_holds.pending_msat + excluded.pending_msat')
    .run(userId, byMsat);

describe('ledger repository', () => {
  it('finds accounts by code and id, and refuses a duplicate code', () => {
    expect(repo.findAccountByCode('user:u:available')).toEqual(available);
    expect(repo.findAccountById(provider.id)?.code).toBe('provider:p');
    expect(repo.findAccountByCode('missing')).toBeUndefined();
    expect(() =>
      repo.insertAccount({ code: 'provider:p', kind: 'provider', ownerUserId: null, floor: 'non_negative', createdAtMs: 1 }),
    ).toThrow(/UNIQUE/);
  });

  it('reads balances from the cache that a trigger keeps equal to the sum of entries, with the holds', () => {
    expect(repo.balanceMsat(available.id)).toBe(0);
    fund('f', 1_000);
    reserve('a', 300, 10);
    reserve('b', 200, 20);
    // Holds move no money: the entries' balances are the top-up's.
    expect(repo.balanceMsat(available.id)).toBe(1_000);
    expect(repo.balanceMsat(reserved.id)).toBe(0);
    expect(repo.findAccountWithBalance('user:u:available')).toEqual({ account: available, balanceMsat: 1_000, pendingHoldsMsat: 500 });
    expect(repo.findAccountWithBalance('user:u:reserved')).toEqual({ account: reserved, balanceMsat: 0, pendingHoldsMsat: 500 });
    expect(repo.findAccountWithBalance('provider:p')).toEqual({ account: provider, balanceMsat: 0, pendingHoldsMsat: 0 });
    const three = repo.findAccountsWithBalances(['user:u:available', 'user:u:reserved', 'provider:new']);
    expect([...three.values()]).toEqual([
      { account: available, balanceMsat: 1_000, pendingHoldsMsat: 500 },
      { account: reserved, balanceMsat: 0, pendingHoldsMsat: 500 },
    ]);
    // The overview keeps the old meaning: held money out of available, in reserved; still sums to zero.
    expect(repo.allBalances()).toEqual([
      { code: 'provider:p', kind: 'provider', balanceMsat: 0 },
      { code: 'stripe', kind: 'stripe', balanceMsat: -1_000 },
      { code: 'user:u:available', kind: 'user_available', balanceMsat: 500 },
      { code: 'user:u:reserved', kind: 'user_reserved', balanceMsat: 500 },
    ]);
    expect(repo.sumOfAllEntriesMsat()).toBe(0);
    expect(repo.cachedBalancesVsEntries()).toEqual([]);
    // Straight SQL gets the same cache upkeep as the repository: the trigger is in the database. (Read
    // inside a transaction, from the database itself: the writer's memory, ledger-memory.ts, learns only
    // the repository's own writes, which are the only writes the app makes to these tables.)
    const transfer = repo.findTransferByKey('f');
    if (!transfer) throw new Error('transfer a');
    handle.sqlite
      .prepare('INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (?, ?, ?, 1)')
      .run(transfer.id, provider.id, 42);
    expect(handle.sqlite.transaction(() => repo.balanceMsat(provider.id))()).toBe(42);
    expect(repo.cachedBalancesVsEntries()).toEqual([]);
  });

  it('lists reservations with their destination and resolution; pending and due filters', () => {
    const a = reserve('a', 300, 10);
    const b = reserve('b', 200, 20);
    const c = reserve('c', 100, 30);
    const voided = voidReservation(b.id, 'void-b');
    expect(repo.findReservation(b.id)).toMatchObject({ destinationCode: 'provider:p', resolution: { id: voided.id } });
    expect(repo.findReservation(voided.id)).toBeUndefined(); // not a reservation
    expect(repo.listPendingReservations().map((r) => r.reservation.id)).toEqual([a.id, c.id]);
    expect(repo.listPendingReservations('u').map((r) => r.reservation.id)).toEqual([a.id, c.id]);
    expect(repo.listPendingReservations('other')).toEqual([]);
    expect(repo.listDueReservations(9).map((r) => r.reservation.id)).toEqual([]);
    expect(repo.listDueReservations(20).map((r) => r.reservation.id)).toEqual([a.id]);
    expect(repo.listDueReservations(30).map((r) => r.reservation.id)).toEqual([a.id, c.id]);
    expect(repo.findTransferByKey('void-b')?.id).toBe(voided.id);
    expect(repo.findTransferById(a.id)?.idempotencyKey).toBe('a');
  });

  it("keeps each user's pending holds: each reservation's amount until it is resolved", () => {
    const held = () => repo.findAccountWithBalance('user:u:available')?.pendingHoldsMsat;
    const a = reserve('a', 300, 10);
    reserve('b', 200, 20);
    expect(held()).toBe(500);
    voidReservation(a.id, 'void-a');
    expect(held()).toBe(200);
    // Folded on SQLite, where the reservation's row is its hold's record; on PostgreSQL written at
    // once, and a release finds the person's row or says it did not.
    expect(repo.releasePendingHold('nobody', 1)).toBe(!onPostgres);
    if (onPostgres) expect(() => repo.releasePendingHold('u', 201)).toThrow(/CHECK/);
  });

  it('audit queries report the rows that break a rule', () => {
    const a = reserve('a', 300, 10);
    // A reservation and a resolution have no entries; a transfer needs two.
    expect(repo.unbalancedTransfers()).toEqual([]);
    expect(repo.holdsOutOfStep()).toEqual([{ userId: 'u', availableMsat: 0, reservedMsat: 0, pendingMsat: 300, recordedMsat: 300 }]);
    fund('f', 1_000);
    expect(repo.holdsOutOfStep()).toEqual([]);
    tamperHolds('u', 5);
    expect(repo.holdsOutOfStep()).toEqual([{ userId: 'u', availableMsat: 1_000, reservedMsat: 0, pendingMsat: 300, recordedMsat: 305 }]);
    handle.sqlite.prepare("UPDATE ledger_pending_holds SET pending_msat = pending_msat - 5 WHERE user_id = 'u'").run();
    const held = repo.insertTransfer({ idempotencyKey: 'h', requestJson: '{}', kind: 'transfer', debitAccountId: available.id, creditAccountId: reserved.id, amountMsat: 9, createdAtMs: 1 });
    repo.insertEntries(held.id, 1, [{ accountId: available.id, amountMsat: -9 }, { accountId: reserved.id, amountMsat: 9 }]);
    expect(repo.holdsOutOfStep()).toEqual([{ userId: 'u', availableMsat: 991, reservedMsat: 9, pendingMsat: 300, recordedMsat: 300 }]);
    const lone = repo.insertTransfer({ idempotencyKey: 'lone', requestJson: '{}', kind: 'transfer', debitAccountId: available.id, creditAccountId: provider.id, amountMsat: 1, createdAtMs: 1 });
    expect(repo.unbalancedTransfers()).toEqual([{ transferId: lone.id, sumMsat: 0 }]);
    const withdrawn = repo.insertTransfer({ idempotencyKey: 'w', requestJson: '{}', kind: 'transfer', debitAccountId: available.id, creditAccountId: provider.id, amountMsat: 991, createdAtMs: 1 });
    repo.insertEntries(withdrawn.id, 1, [{ accountId: available.id, amountMsat: -991 }, { accountId: provider.id, amountMsat: 991 }]);
    expect(repo.holdsOutOfStep()).toEqual([{ userId: 'u', availableMsat: 0, reservedMsat: 9, pendingMsat: 300, recordedMsat: 300 }]);
    expect(repo.accountsBelowFloor()).toEqual([]);
    repo.insertEntries(a.id, 1, [{ accountId: provider.id, amountMsat: 7 }]);
    expect(repo.unbalancedTransfers()).toEqual([{ transferId: a.id, sumMsat: 7 }, { transferId: lone.id, sumMsat: 0 }]);
    const pendingOfTransfer = repo.insertTransfer({
      idempotencyKey: 't',
      requestJson: '{}',
      kind: 'transfer',
      debitAccountId: available.id,
      creditAccountId: provider.id,
      amountMsat: 1,
      createdAtMs: 1,
    });
    voidReservation(pendingOfTransfer.id, 'void-a-transfer');
    expect(repo.invalidResolutions()).toEqual([{ pendingId: pendingOfTransfer.id, count: 1, pendingKind: 'transfer' }]);
  });

  it('reports a cached balance that drifted from its entries', () => {
    fund('f', 300);
    const held = repo.insertTransfer({ idempotencyKey: 'h', requestJson: '{}', kind: 'transfer', debitAccountId: available.id, creditAccountId: reserved.id, amountMsat: 300, createdAtMs: 1 });
    repo.insertEntries(held.id, 1, [{ accountId: available.id, amountMsat: -300 }, { accountId: reserved.id, amountMsat: 300 }]);
    // The cache is the only mutable ledger table; an UPDATE behind the ledger's back is what the audit is for.
    handle.sqlite.prepare('UPDATE ledger_balances SET balance_msat = balance_msat + 1 WHERE account_id = ?').run(reserved.id);
    handle.sqlite.prepare('INSERT INTO ledger_balances (account_id, balance_msat) VALUES (?, 5)').run(provider.id);
    expect(repo.cachedBalancesVsEntries()).toEqual([
      { code: 'user:u:reserved', cachedMsat: 301, entriesMsat: 300 },
      { code: 'provider:p', cachedMsat: 5, entriesMsat: 0 },
    ]);
  });
});

describe('ledger tables enforce their rules in the database', () => {
  it('refuse UPDATE and DELETE on every ledger table', () => {
    fund('f', 300);
    for (const table of ['ledger_entries', 'ledger_transfers', 'ledger_accounts']) {
      expect(() => handle.sqlite.prepare(`UPDATE ${table} SET created_at_ms = 0`).run()).toThrow(/append-only/);
      expect(() => handle.sqlite.prepare(`DELETE FROM ${table}`).run()).toThrow(/append-only/);
    }
    expect(() => handle.sqlite.prepare('DELETE FROM ledger_balances').run()).toThrow(/never deleted/);
  });

  it('refuse a second resolution of one reservation and a reused idempotency key', () => {
    const a = reserve('a', 300, 10);
    voidReservation(a.id, 'v1');
    expect(() => voidReservation(a.id, 'v2')).toThrow(/UNIQUE/);
    expect(() => reserve('a', 1, 1)).toThrow(/UNIQUE/);
  });

  it('refuse zero entries, negative amounts, unknown kinds and resolutions without a reservation', () => {
    const a = reserve('a', 300, 10);
    expect(() => repo.insertEntries(a.id, 1, [{ accountId: provider.id, amountMsat: 0 }])).toThrow(/CHECK/);
    expect(() => handle.sqlite.prepare("INSERT INTO ledger_pending_holds (user_id, pending_msat) VALUES ('v', -1)").run()).toThrow(/CHECK/);
    expect(() => reserve('neg', -1, 10)).toThrow(/CHECK/);
    const base = { requestJson: '{}', debitAccountId: available.id, creditAccountId: provider.id, amountMsat: 1, createdAtMs: 1 };
    expect(() => repo.insertTransfer({ ...base, idempotencyKey: 'x', kind: 'void' })).toThrow(/CHECK/);
    expect(() => repo.insertTransfer({ ...base, idempotencyKey: 'y', kind: 'transfer', pendingId: a.id })).toThrow(/CHECK/);
    expect(() => repo.insertTransfer({ ...base, idempotencyKey: null, kind: 'transfer' })).toThrow(/CHECK/);
    expect(() => repo.insertTransfer({ ...base, idempotencyKey: 'z', kind: 'gift' as never })).toThrow(/CHECK/);
    expect(() => repo.insertEntries(a.id, 1, [{ accountId: 9_999, amountMsat: 5 }])).toThrow(/FOREIGN KEY/);
  });
});
