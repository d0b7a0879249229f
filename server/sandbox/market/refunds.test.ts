import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRefundDesk, type RefundBehaviour, type Refunder } from './refunds';

const preimage = randomBytes(32).toString('hex');
const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
const PAID_MSAT = 2_000;

function desk(behaviour: RefundBehaviour) {
  const payments: { invoice: string; amountMsat: number }[] = [];
  const refunder: Refunder = {
    receivedMsat: (hash) => (hash === paymentHash ? PAID_MSAT : null),
    refundableMsat: (received) => received + 1_002,
    payBack: async (invoice, amountMsat) => {
      payments.push({ invoice, amountMsat });
      return { ok: true };
    },
  };
  return { desk: createRefundDesk({ providerName: 'Satoshi Jokes', behaviour, refunder, slowRefundMs: 1, pause: async () => true }), payments };
}

const request = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  payment_hash: paymentHash,
  preimage,
  macaroon_id: `0000${paymentHash}${'cd'.repeat(32)}`,
  amount_msat: 3_002,
  reason: 'wrong_or_low_quality: not funny',
  return_invoice: 'lnbcrt30n1return',
  dispute_id: 'd-1',
  ...overrides,
});

describe('a provider refund desk', () => {
  it('pays a proven purchase back once, however often it is asked', async () => {
    const { desk: paying, payments } = desk('pays');
    expect(await paying.answer(request())).toEqual({ status: 200, body: { status: 'refunded' } });
    expect(await paying.answer(request())).toEqual({ status: 200, body: { status: 'refunded' } });
    expect(payments).toEqual([{ invoice: 'lnbcrt30n1return', amountMsat: 3_002 }]);
  });

  it('refuses what it cannot verify, or more than was paid plus fee', async () => {
    const { desk: paying, payments } = desk('pays');
    expect((await paying.answer({ nonsense: true })).status).toBe(400);
    expect((await paying.answer(request({ preimage: 'ab'.repeat(32) }))).body).toMatchObject({ status: 'refused', reason: expect.stringContaining('preimage') });
    expect((await paying.answer(request({ macaroon_id: `0000${'ef'.repeat(64)}` }))).body).toMatchObject({ status: 'refused' });
    expect((await paying.answer(request({ amount_msat: 3_003 }))).body).toMatchObject({ status: 'refused', reason: expect.stringContaining('more than was paid') });
    expect(payments).toEqual([]);
  });

  it('refuses, or lies, as configured, and pays nothing either way', async () => {
    const refusing = desk('refuses');
    expect((await refusing.desk.answer(request())).body).toEqual({ status: 'refused', reason: 'Satoshi Jokes does not refund disputed calls.' });
    const lying = desk('lies');
    expect((await lying.desk.answer(request())).body).toEqual({ status: 'refunded' });
    expect([...refusing.payments, ...lying.payments]).toEqual([]);
  });
});
