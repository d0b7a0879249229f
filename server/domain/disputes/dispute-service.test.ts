// The disputes service's own wiring around opening: what it tells provider standing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { payments } from '../../db/schema/payments';
import { samplePaymentRow } from '../../db/test-rows';
import { createLeases } from '../background';
import { createFakeTreasuryPair } from '../payments/test-fakes';
import { createDisputes } from './dispute-service';
import { fakeEngine } from './test-support';

const NOW = 5_000_000;
const OPERATORS_PROVIDER = 'https://market.example';

let database: DatabaseHandle;
beforeEach(() => {
  database = openDatabase(':memory:');
  // Payments reference ledger reservations; opening reads the reservation through the fake ledger.
  database.sqlite.pragma('foreign_keys = OFF');
});
afterEach(() => database.close());

function unpaidDelivery(seq: number, serviceId: string, origin: string): string {
  const row = samplePaymentRow(seq, { serviceId, providerId: serviceId.split('/')[0], origin, url: `${origin}/v1/search`, delivery: 'paid_not_delivered', paidAtMs: NOW - 1_000, createdAtMs: NOW - 1_000 });
  database.db.insert(payments).values(row).run();
  return row.id;
}

describe('a non-delivery told to provider standing (which may pause a service for everyone)', () => {
  it('is told only for a provider the operator lists: an added manifest may reuse another person\'s service id', () => {
    // Bob adds his own node with a manifest naming Alice's privately added "acme/search"; each call he
    // pays himself and leaves undelivered would count against her service until it is paused for everyone.
    const engine = fakeEngine(database, createFakeTreasuryPair(), { now: () => NOW });
    const told: string[] = [];
    const disputes = createDisputes({
      ...engine,
      database,
      ledger: { ...engine.ledger, getReservation: () => ({ id: 'res-1', amountMsat: 3_000 }) as never },
      treasury: null,
      outputSchemaOf: () => null,
      providerListed: (serviceId, url) => serviceId === 'market/joke' && new URL(url).origin === OPERATORS_PROVIDER,
      afterNonDelivery: (service) => void told.push(service.serviceId),
      leases: createLeases({ db: database.db, now: () => NOW }),
      now: () => NOW,
    });
    const open = (paymentId: string, stepId: string) => disputes.open({ userId: 'u1', taskId: 't1', stepId, paymentId, category: 'not_delivered', reason: '', openedBy: 'automatic' });

    expect(open(unpaidDelivery(1, 'acme/search', 'https://bobs-node.example'), 's1')).toMatchObject({ ok: true, created: true });
    expect(told).toEqual([]);
    expect(open(unpaidDelivery(2, 'market/joke', OPERATORS_PROVIDER), 's2')).toMatchObject({ ok: true, created: true });
    expect(told).toEqual(['market/joke']);
  });
});
