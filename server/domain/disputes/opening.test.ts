// Opening a dispute on a payment: which ones are refunded at once (from the treasury, when the provider
// does not pay) and which wait for an operator.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import type { PaymentRow } from '../../db/schema/payments';
import { createFakeTreasuryPair } from '../payments/test-fakes';
import { openDispute, type OpeningDeps } from './opening';
import { fakeEngine } from './test-support';

const OPERATORS_PROVIDER = 'https://market.example';
const PERSONS_PROVIDER = 'https://my-own-node.example';

let database: DatabaseHandle;
beforeEach(() => {
  database = openDatabase(':memory:');
});
afterEach(() => database.close());

/** A paid call whose answer never came (the automatic dispute's case). */
function unpaidDelivery(id: string, serviceId: string, origin: string): PaymentRow {
  return {
    id,
    userId: 'user-1',
    reservationId: 'res-1',
    serviceId,
    providerId: serviceId.split('/')[0],
    url: `${origin}/v1/joke`,
    challengeScheme: 'L402',
    invoice: 'lnbcrt20n1fake',
    paymentHash: 'ab'.repeat(32),
    preimageHex: 'cd'.repeat(32),
    macaroonIdHex: 'ef'.repeat(16),
    amountMsat: 2_000_000,
    feeMsat: 0,
    status: 'paid',
    delivery: 'paid_not_delivered',
    reason: 'empty_body',
    deliveryDetail: null,
    httpStatus: 200,
    responseBytes: 0,
    responseSha256: null,
    paidAtMs: 1_000,
    deliveryRequestedAtMs: 1_000,
    deliveredAtMs: 1_001,
  } as unknown as PaymentRow;
}

function opening(payments: PaymentRow[]): OpeningDeps {
  const engine = fakeEngine(database, createFakeTreasuryPair(), { now: () => 2_000 });
  return {
    ...engine,
    repo: { ...engine.repo, payment: (_userId: string, paymentId: string) => payments.find((p) => p.id === paymentId) },
    // The person approved up to 2,100 sats for the step.
    ledger: { ...engine.ledger, getReservation: () => ({ id: 'res-1', amountMsat: 2_100_000 }) as never },
    outputSchemaOf: () => null,
    sharePercent: 50,
    // The operator's catalog (PROVIDER_URLS) lists market/joke at OPERATORS_PROVIDER, nothing else.
    providerListed: (serviceId: string, url: string) => serviceId === 'market/joke' && new URL(url).origin === OPERATORS_PROVIDER,
  } as OpeningDeps;
}

describe('opening a dispute on a call that was paid and not delivered', () => {
  it('is refunded at once for a provider the operator lists', () => {
    const deps = opening([unpaidDelivery('p1', 'market/joke', OPERATORS_PROVIDER)]);
    const opened = openDispute(deps, { userId: 'user-1', taskId: 't1', stepId: 's1', paymentId: 'p1', category: 'not_delivered', reason: '', openedBy: 'automatic' });
    expect(opened).toMatchObject({ ok: true, dispute: { status: 'refunding', refundMsat: 2_000_000 } });
  });

  it('waits for an operator for a provider a person added: it may be their own node, and the treasury would pay them back what they paid themselves', () => {
    // The loop this stops: add your own provider by URL, pay it through Steward, have it answer nothing,
    // and the automatic refund (the treasury pays when the provider does not) credits the same sats again.
    const deps = opening([unpaidDelivery('p2', 'mine/joke', PERSONS_PROVIDER), unpaidDelivery('p3', 'market/joke', PERSONS_PROVIDER)]);
    for (const [paymentId, stepId] of [['p2', 's2'], ['p3', 's3']] as const) {
      const opened = openDispute(deps, { userId: 'user-1', taskId: 't1', stepId, paymentId, category: 'not_delivered', reason: '', openedBy: 'automatic' });
      expect(opened, paymentId).toMatchObject({ ok: true, dispute: { status: 'under_review', refundMsat: 0 } });
    }
  });
});
