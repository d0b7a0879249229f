// A person's reservations through ledger_reservations_by_user (reservations-by-user.ts): SQLite's
// writer indexes them in batches, yet every read finds each one, indexed or not, exactly once; a
// rolled-back batch leaves the index as it was; stopping indexes the rest. On PostgreSQL each
// reservation is indexed at once, and the same reads find it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';
import { openDatabase, type DatabaseHandle } from '../client';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount, type Ledger } from '../../domain/ledger';
import { createGovernanceRepository } from './governance-repository';
import { FOLD_EVERY, foldReservationsByUser, hasUnindexedReservations } from './reservations-by-user';

const NOW_MS = Date.parse('2026-03-10T12:00:00Z');
const PEOPLE = ['ann', 'bob', 'cat'];

describe('a person\'s reservations, indexed in batches', () => {
  let handle: DatabaseHandle;
  let ledger: Ledger;
  let made = 0;
  const indexed = () => (handle.sqlite.prepare('SELECT count(*) AS n FROM ledger_reservations_by_user').get() as { n: number }).n;
  /** Reserves for each person in turn; returns the ids by person. */
  const reserve = (count: number) => {
    const ids = new Map<string, number[]>(PEOPLE.map((person) => [person, []]));
    for (let i = 0; i < count; i += 1) {
      const userId = PEOPLE[made % PEOPLE.length] ?? 'ann';
      const result = ledger.reserve({
        idempotencyKey: `r${made}`,
        userId,
        destination: providerAccount('jokes'),
        amountMsat: msat(1_000),
        expiresAtMs: NOW_MS + 3_600_000,
      });
      if (!result.ok) throw new Error(result.reason);
      ids.get(userId)?.push(result.reservation.id);
      made += 1;
    }
    return ids;
  };
  const pendingIds = (userId: string) => ledger.pendingReservations(userId).map((r) => r.id);
  const usageScanCount = (userId: string) =>
    createGovernanceRepository(handle).reservations({ userId, fromMs: NOW_MS - 1, toMs: NOW_MS + 1 }).length;

  beforeEach(() => {
    handle = openDatabase(':memory:');
    ledger = createLedger(handle, { now: () => NOW_MS });
    made = 0;
    for (const userId of PEOPLE) {
      ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(10_000_000_000) });
    }
  });
  afterEach(() => handle.close());

  it('finds each reservation once, whether indexed yet or not', () => {
    const first = reserve(FOLD_EVERY + 30);
    // Ids 1-3 are the fundings. On SQLite the reservation with id FOLD_EVERY indexed itself and those
    // before it, and the 33 after it wait; on PostgreSQL each was indexed at once.
    expect(indexed()).toBe(onPostgres ? FOLD_EVERY + 30 : FOLD_EVERY - 3);
    for (const userId of PEOPLE) {
      expect(pendingIds(userId)).toEqual(first.get(userId));
      expect(usageScanCount(userId)).toBe(first.get(userId)?.length);
    }
    // A resolved one leaves the pending list, indexed or not.
    const ann = first.get('ann') ?? [];
    for (const id of [ann[0], ann.at(-1)]) expect(ledger.void({ idempotencyKey: `v${id}`, reservationId: id ?? 0, reason: 'test' }).ok).toBe(true);
    expect(pendingIds('ann')).toEqual(ann.slice(1, -1));
    expect(pendingIds('nobody')).toEqual([]);
  });

  it.skipIf(onPostgres)('leaves the index as it was when the batch that indexed rolls back', () => {
    reserve(FOLD_EVERY - 4); // after the three fundings: the next reservation has id FOLD_EVERY
    expect(indexed()).toBe(0);
    expect(() =>
      handle.sqlite.transaction(() => {
        reserve(1);
        expect(indexed()).toBe(FOLD_EVERY - 3);
        throw new Error('the batch fails');
      })(),
    ).toThrow('the batch fails');
    expect(indexed()).toBe(0);
    expect(hasUnindexedReservations(handle.sqlite)).toBe(true);
    expect(pendingIds('ann')).toHaveLength(Math.ceil((FOLD_EVERY - 4) / PEOPLE.length));
    reserve(1);
    expect(indexed()).toBe(FOLD_EVERY - 3);
  });

  it.skipIf(onPostgres)('folds on a reservation only: a long run of other transfers leaves the index alone', () => {
    reserve(FOLD_EVERY - 4); // after the three fundings: ids up to FOLD_EVERY - 1
    for (let i = 0; i < FOLD_EVERY; i += 1) {
      ledger.transfer({ idempotencyKey: `top-up:${i}`, debit: stripeAccount, credit: userAvailableAccount('ann'), amountMsat: msat(1) });
    }
    expect(indexed()).toBe(0);
    const [[person, [newest]] = ['', []]] = [...reserve(1)].filter(([, list]) => list.length > 0);
    expect(indexed()).toBe(FOLD_EVERY - 3); // it indexed those before it, and itself
    expect(pendingIds(person)).toContain(newest);
  });

  it.skipIf(onPostgres)('indexes the rest as Steward stops, and the copy tool then takes the file', () => {
    const ids = reserve(10);
    expect(hasUnindexedReservations(handle.sqlite)).toBe(true);
    foldReservationsByUser(handle.sqlite);
    expect(indexed()).toBe(10);
    expect(hasUnindexedReservations(handle.sqlite)).toBe(false);
    expect(pendingIds('bob')).toEqual(ids.get('bob'));
  });
});
