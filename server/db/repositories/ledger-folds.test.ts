// What SQLite's writer folds in batches (ledger-folds.ts): a person's reservations by time and their
// pending holds. Every read finds each reservation, folded or not, exactly once, and every person's
// holds exactly, whether a reservation and its resolution lie before the fold mark, after it, or on
// either side; a connection that remembers nothing (it reads the tables and the transfers after the
// mark) then refuses what would overspend. A rolled-back batch leaves the folds as they were; a fold
// moves the mark, so the transfers after it do not fold again; stopping folds the rest. On PostgreSQL
// each transfer is written at once, and the same reads give the same answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, signedMsat } from '../../../shared/money';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';
import { openDatabase, type DatabaseHandle } from '../client';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount, type Ledger } from '../../domain/ledger';
import { createGovernanceRepository } from './governance-repository';
import { FOLD_EVERY, foldLedger, hasUnfoldedTransfers, PENDING_HOLDS_BY_USER } from './ledger-folds';

const NOW_MS = Date.parse('2026-03-10T12:00:00Z');
const PEOPLE = ['ann', 'bob', 'cat'];
const FUNDED_MSAT = 10_000_000_000;

describe('the ledger\'s folds: a person\'s reservations and pending holds', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let ledger: Ledger;
  let made = 0;
  const indexed = () => (handle.sqlite.prepare('SELECT count(*) AS n FROM ledger_reservations_by_user').get() as { n: number }).n;
  const mark = () => (handle.sqlite.prepare('SELECT through_transfer_id AS id FROM ledger_fold_mark').get() as { id: number }).id;
  const folded = () =>
    Object.fromEntries((handle.sqlite.prepare('SELECT user_id AS userId, pending_msat AS pending FROM ledger_pending_holds').all() as { userId: string; pending: number }[]).map((r) => [r.userId, r.pending]));
  /** Reserves `amountMsat` for each person in turn; returns the ids by person. */
  const reserve = (count: number, amountMsat = 1_000) => {
    const ids = new Map<string, number[]>(PEOPLE.map((person) => [person, []]));
    for (let i = 0; i < count; i += 1) {
      const userId = PEOPLE[made % PEOPLE.length] ?? 'ann';
      const result = ledger.reserve({ idempotencyKey: `r${made}`, userId, destination: providerAccount('jokes'), amountMsat: msat(amountMsat), expiresAtMs: NOW_MS + 3_600_000 });
      if (!result.ok) throw new Error(result.reason);
      ids.get(userId)?.push(result.reservation.id);
      made += 1;
    }
    return ids;
  };
  const voidAll = (ids: readonly number[]) => {
    for (const id of ids) expect(ledger.void({ idempotencyKey: `v${id}`, reservationId: id, reason: 'test' }).ok).toBe(true);
  };
  const pendingIds = (userId: string) => ledger.pendingReservations(userId).map((r) => r.id);
  const usageScanCount = (userId: string) =>
    createGovernanceRepository(handle).reservations({ userId, fromMs: NOW_MS - 1, toMs: NOW_MS + 1 }).length;
  /** Each person's holds as every SQL reader sees them, and as the sum of their pending reservations. */
  const holdsEverywhere = () => {
    const everyone = Object.fromEntries((handle.sqlite.prepare(`SELECT user_id AS userId, pending_msat AS pending FROM (${PENDING_HOLDS_BY_USER}) h`).all() as { userId: string; pending: number }[]).map((r) => [r.userId, r.pending]));
    // A second connection remembers nothing: its funds come from the stored holds and the tail.
    const other = openDatabase(join(dir, 'ledger.db'));
    try {
      const cold = createLedger(other, { now: () => NOW_MS });
      return PEOPLE.map((userId) => ({
        userId,
        sum: ledger.pendingReservations(userId).reduce((total, r) => total + r.amountMsat, 0),
        everyone: everyone[userId] ?? 0,
        cold: cold.userBalances(userId).reservedMsat,
        balances: cold.allBalances().find((b) => b.code === `user:${userId}:reserved`)?.balanceMsat ?? 0,
      }));
    } finally {
      other.close();
    }
  };
  const expectHoldsExact = () => {
    for (const { userId, sum, everyone, cold, balances } of holdsEverywhere()) expect({ userId, everyone, cold, balances }).toEqual({ userId, everyone: sum, cold: sum, balances: sum });
    ledger.checkInvariants();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-folds-'));
    handle = openDatabase(join(dir, 'ledger.db'));
    ledger = createLedger(handle, { now: () => NOW_MS });
    made = 0;
    for (const userId of PEOPLE) {
      ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(FUNDED_MSAT) });
    }
  });
  afterEach(() => {
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds each reservation once, whether folded yet or not', () => {
    const first = reserve(FOLD_EVERY + 30);
    // Ids 1-3 are the fundings. On SQLite the reservation with id FOLD_EVERY folded itself and those
    // before it, and the 30 after it wait; on PostgreSQL each was indexed at once.
    expect(indexed()).toBe(onPostgres ? FOLD_EVERY + 30 : FOLD_EVERY - 3);
    for (const userId of PEOPLE) {
      expect(pendingIds(userId)).toEqual(first.get(userId));
      expect(usageScanCount(userId)).toBe(first.get(userId)?.length);
    }
    // A resolved one leaves the pending list, folded or not.
    const ann = first.get('ann') ?? [];
    voidAll([ann[0] ?? 0, ann.at(-1) ?? 0]);
    expect(pendingIds('ann')).toEqual(ann.slice(1, -1));
    expect(pendingIds('nobody')).toEqual([]);
  });

  it('gives each person\'s holds exactly: folded, after the mark, and resolved across it', () => {
    const before = reserve(FOLD_EVERY - 4); // after the fundings: ids up to FOLD_EVERY - 1, none folded
    expectHoldsExact();
    if (!onPostgres) expect(folded()).toEqual({});
    const across = reserve(60); // the first one folds; 59 after the mark
    if (!onPostgres) expect(mark()).toBe(FOLD_EVERY);
    // Resolved after the mark: reservations folded before it (one posted), and some made after it.
    voidAll((before.get('ann') ?? []).slice(0, 10));
    const bob = before.get('bob') ?? [];
    expect(ledger.post({ idempotencyKey: 'p', reservationId: bob[0] ?? 0, amountMsat: msat(600), feeMsat: msat(5) }).ok).toBe(true);
    voidAll((across.get('cat') ?? []).slice(-5));
    expectHoldsExact();
    foldLedger(handle.sqlite);
    expect(hasUnfoldedTransfers(handle.sqlite)).toBe(false);
    expectHoldsExact();
    // Folded, the table alone is each person's holds.
    const folds = folded();
    for (const { userId, sum } of holdsEverywhere()) expect(folds[userId]).toBe(sum);
  });

  it('refuses on a connection that remembers nothing what would spend held money after the mark', () => {
    reserve(FOLD_EVERY - 1); // folds at the last one; each person holds a third of it
    const held = reserve(3, 2_000_000_000); // after the mark: 2,000,000,000 msat more held by each
    expect(held.get('ann')).toHaveLength(1);
    const other = openDatabase(join(dir, 'ledger.db'));
    try {
      const cold = createLedger(other, { now: () => NOW_MS });
      const { availableMsat } = cold.userBalances('ann');
      const attempt = (amountMsat: number, key: string) =>
        cold.reserve({ idempotencyKey: key, userId: 'ann', destination: providerAccount('jokes'), amountMsat: msat(amountMsat), expiresAtMs: NOW_MS + 3_600_000 });
      expect(attempt(availableMsat + 1, 'one-too-many')).toEqual({ ok: false, reason: 'insufficient_funds' });
      expect(attempt(availableMsat, 'all-of-it').ok).toBe(true);
      expect(cold.userBalances('ann').availableMsat).toBe(0);
    } finally {
      other.close();
    }
    expectHoldsExact();
  });

  it.skipIf(onPostgres)('leaves the folds as they were when the batch that folded rolls back', () => {
    reserve(FOLD_EVERY - 4); // after the three fundings: the next reservation has id FOLD_EVERY
    expect(indexed()).toBe(0);
    expect(() =>
      handle.sqlite.transaction(() => {
        reserve(1);
        expect(indexed()).toBe(FOLD_EVERY - 3);
        expect(mark()).toBe(FOLD_EVERY);
        throw new Error('the batch fails');
      })(),
    ).toThrow('the batch fails');
    expect([indexed(), mark(), folded()]).toEqual([0, 0, {}]);
    expect(hasUnfoldedTransfers(handle.sqlite)).toBe(true);
    expect(pendingIds('ann')).toHaveLength(Math.ceil((FOLD_EVERY - 4) / PEOPLE.length));
    expectHoldsExact();
  });

  it.skipIf(onPostgres)('folds once per FOLD_EVERY transfers of any kind: the mark moves on', () => {
    reserve(FOLD_EVERY - 4); // after the three fundings: ids up to FOLD_EVERY - 1
    const topUp = (i: number) => ledger.transfer({ idempotencyKey: `top-up:${i}`, debit: stripeAccount, credit: userAvailableAccount('ann'), amountMsat: msat(1) });
    topUp(0); // id FOLD_EVERY: folds the reservations before it
    expect([indexed(), mark()]).toEqual([FOLD_EVERY - 4, FOLD_EVERY]);
    for (let i = 1; i < FOLD_EVERY; i += 1) topUp(i);
    expect(mark()).toBe(FOLD_EVERY); // not folded again: none was FOLD_EVERY past the mark
    const [[person, [newest]] = ['', []]] = [...reserve(1)].filter(([, list]) => list.length > 0);
    expect([indexed(), mark()]).toEqual([FOLD_EVERY - 3, 2 * FOLD_EVERY]);
    expect(pendingIds(person)).toContain(newest);
  });

  it.skipIf(onPostgres)('folds the usage changes with the ledger, so the writer stalls once for both', () => {
    const changes = () => (handle.sqlite.prepare('SELECT count(*) AS n FROM governance_usage_changes').get() as { n: number }).n;
    reserve(FOLD_EVERY - 5); // after the three fundings: ids up to FOLD_EVERY - 2
    const one = signedMsat(1);
    createGovernanceRepository(handle).addToTotals({ userId: 'ann', atMs: NOW_MS, serviceId: 'jokes', taskId: null }, { postedMsat: one, pendingMsat: one, feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) }, true);
    reserve(1); // id FOLD_EVERY - 1: nothing is due
    expect([mark(), changes()]).toEqual([0, 1]);
    reserve(1); // id FOLD_EVERY: the ledger folds, and the usage changes with it
    expect([mark(), changes()]).toEqual([FOLD_EVERY, 0]);
  });

  it.skipIf(onPostgres)('folds the rest as Steward stops, and the copy tool then takes the file', () => {
    const ids = reserve(10);
    expect(hasUnfoldedTransfers(handle.sqlite)).toBe(true);
    foldLedger(handle.sqlite);
    expect(indexed()).toBe(10);
    expect(hasUnfoldedTransfers(handle.sqlite)).toBe(false);
    expect(pendingIds('bob')).toEqual(ids.get('bob'));
    expect(folded()).toEqual({ ann: 4_000, bob: 3_000, cat: 3_000 });
    foldLedger(handle.sqlite); // nothing after the mark: nothing changes
    expect(folded()).toEqual({ ann: 4_000, bob: 3_000, cat: 3_000 });
  });
});
