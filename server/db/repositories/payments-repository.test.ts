import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../client';
import type { NewPaymentRow } from '../schema/payments';
import { createLedgerRepository } from './ledger-repository';
import { createPaymentsRepository, type PaymentsRepository } from './payments-repository';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';

let handle: DatabaseHandle;
let repo: PaymentsRepository;
let reservations = 0;

beforeEach(() => {
  handle = openDatabase(':memory:');
  repo = createPaymentsRepository(handle.db);
  reservations = 0;
});
afterEach(() => handle.close());

/** A payment row on its own reservation (the foreign key needs one). */
function payment(id: string, overrides: Partial<NewPaymentRow> = {}): NewPaymentRow {
  const ledger = createLedgerRepository(handle);
  const account = (code: string) =>
    ledger.findAccountByCode(code) ?? ledger.insertAccount({ code, kind: 'provider', ownerUserId: null, floor: 'unbounded', createdAtMs: 1 });
  reservations += 1;
  const reservation = ledger.insertTransfer({
    idempotencyKey: `reserve:${reservations}`,
    requestJson: '{}',
    kind: 'transfer',
    debitAccountId: account('a').id,
    creditAccountId: account('b').id,
    amountMsat: 1_000,
    createdAtMs: 1,
  });
  return {
    id,
    userId: 'u',
    idempotencyKey: `step:${id}`,
    paymentHash: id.padEnd(64, '0'),
    reservationId: reservation.id,
    status: 'reserved',
    origin: 'http://p.test',
    service: 'jokes',
    serviceId: 'jokes',
    providerId: 'p',
    method: 'GET',
    url: 'http://p.test/joke',
    challengeScheme: 'L402',
    macaroonIdHex: 'ab',
    macaroonSealed: 'sealed',
    tokenExpiresAtMs: 99,
    invoice: 'lnbc1',
    invoiceExpiresAtMs: 5,
    amountMsat: 1_000,
    feeAllowanceMsat: 10,
    rateJson: '{"usdCents":1}',
    createdAtMs: 2,
    updatedAtMs: 3,
    ...overrides,
  };
}

describe('payments repository', () => {
  it('stores every column where it belongs: the row insert returns is the row read back', () => {
    const inserted = repo.insert(payment('a1'));
    expect(inserted.delivery).toBe('pending');
    expect(repo.byId('a1')).toEqual(inserted);
    expect(repo.byPaymentHash('a1'.padEnd(64, '0'))).toEqual(inserted);
    expect(repo.byIdempotencyKey('u', 'step:a1')).toEqual(inserted);
    expect(repo.byIdempotencyKey('other', 'step:a1')).toBeUndefined();
  });

  // SQLite's query plan; PostgreSQL plans by table statistics.
  it.skipIf(onPostgres)('lists unresolved payments through the partial index on open statuses', () => {
    repo.insert(payment('b1', { createdAtMs: 20 }));
    repo.insert(payment('b2', { createdAtMs: 10 }));
    repo.insert(payment('b3'));
    expect(repo.transition('b3', ['reserved'], 'paid', { paidAtMs: 4, updatedAtMs: 4 })?.status).toBe('paid');
    const prepare = vi.spyOn(handle.sqlite, 'prepare');
    expect(repo.unresolved().map((row) => row.id)).toEqual(['b2', 'b1']);
    const sql = prepare.mock.calls.at(-1)?.[0];
    prepare.mockRestore();
    expect(sql).toBeDefined();
    const plan = handle.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[];
    // A bound IN list would not prove the index's condition: the work list would scan every payment.
    expect(plan.map((step) => step.detail).join('\n')).toContain('payments_open_status_idx');
  });
});
