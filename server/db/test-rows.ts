// Rows for tests that read payments straight from SQL (read models: reputation, standing, Activity):
// one paid, delivered L402 payment of 2 sats, numbered by `seq`, changed by `over`.
import type { NewPaymentRow } from './schema/payments';

export function samplePaymentRow(seq: number, over: Partial<NewPaymentRow> & Pick<NewPaymentRow, 'createdAtMs'>): NewPaymentRow {
  const id = over.id ?? `pay-${seq}`;
  return {
    id,
    userId: 'u1',
    idempotencyKey: id,
    paymentHash: seq.toString(16).padStart(64, '0'),
    reservationId: seq,
    status: 'paid',
    delivery: 'delivered',
    origin: 'http://127.0.0.1',
    service: 'joke',
    serviceId: 'satoshi-jokes/joke',
    providerId: 'satoshi-jokes',
    method: 'GET',
    url: 'http://127.0.0.1/x',
    challengeScheme: 'L402',
    macaroonIdHex: 'ab',
    invoice: 'lnbcrt1',
    invoiceExpiresAtMs: over.createdAtMs,
    amountMsat: 2_000,
    feeAllowanceMsat: 0,
    updatedAtMs: over.createdAtMs,
    ...over,
  };
}
