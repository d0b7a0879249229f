// Payments: the write-ahead record of every L402 purchase (and its receipt), and the token vault.
//
// A payment row is written in the same transaction as its ledger reservation, before the wallet is
// asked to pay, so a crash at any point leaves a row the reconciler can finish. UNIQUE payment_hash
// is what makes "a payment hash is never paid twice" a property the database enforces; UNIQUE
// idempotency_key makes a retried step find its earlier attempt instead of starting another.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ledgerTransfers } from './ledger';

export const PAYMENT_STATUSES = ['reserved', 'paying', 'paid', 'paid_unusable', 'failed'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'paid_not_delivered'] as const;

export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    paymentHash: text('payment_hash').notNull(),
    reservationId: integer('reservation_id')
      .notNull()
      .references(() => ledgerTransfers.id),
    // reserved -> paying -> paid | paid_unusable (money moved, proof missing or wrong) | failed (voided).
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    // What the step got for the money; pending until the credential was presented (or never, after a crash).
    delivery: text('delivery', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    // Named reason for failed payments and undelivered purchases (e.g. 'challenged_again').
    reason: text('reason'),
    origin: text('origin').notNull(),
    service: text('service').notNull(),
    serviceId: text('service_id').notNull(),
    providerId: text('provider_id').notNull(),
    method: text('method').notNull(),
    url: text('url').notNull(),
    // Evidence: the challenge as received (scheme, dialect, macaroon id), the invoice, the proof and
    // what was delivered.
    challengeScheme: text('challenge_scheme').notNull(),
    macaroonIdHex: text('macaroon_id_hex').notNull(),
    // The macaroon is a bearer secret: sealed with the secret box, bound to this payment's id. It is
    // written ahead with the row so that whoever settles the payment as paid (the purchase, or the
    // reconciler after a crash) can put the token in the vault. Null on rows from before it was kept.
    macaroonSealed: text('macaroon_sealed'),
    // When the token is predicted to expire (from its `<service>_valid_until` caveat); null when it states none.
    tokenExpiresAtMs: integer('token_expires_at_ms'),
    invoice: text('invoice').notNull(),
    invoiceExpiresAtMs: integer('invoice_expires_at_ms').notNull(),
    amountMsat: integer('amount_msat').notNull(),
    feeAllowanceMsat: integer('fee_allowance_msat').notNull(),
    // Null until posted.
    feeMsat: integer('fee_msat'),
    preimageHex: text('preimage_hex'),
    httpStatus: integer('http_status'),
    responseSha256: text('response_sha256'),
    // Size in bytes of the paid answer's body, as received (dispute evidence beside its hash).
    responseBytes: integer('response_bytes'),
    // Why the paid answer did not count as delivered, in a sentence (e.g. which output-schema fields failed).
    deliveryDetail: text('delivery_detail'),
    // When the paid request (with the credential) was sent; delivered_at_ms is when it was answered.
    deliveryRequestedAtMs: integer('delivery_requested_at_ms'),
    // The BTC/USD rate locked for the step ({ usdCents, perMsat }), so receipts show fiat at that rate.
    rateJson: text('rate_json'),
    createdAtMs: integer('created_at_ms').notNull(),
    paidAtMs: integer('paid_at_ms'),
    resolvedAtMs: integer('resolved_at_ms'),
    deliveredAtMs: integer('delivered_at_ms'),
    updatedAtMs: integer('updated_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('payments_payment_hash_unique').on(t.paymentHash),
    uniqueIndex('payments_idempotency_key_unique').on(t.userId, t.idempotencyKey),
    uniqueIndex('payments_reservation_unique').on(t.reservationId),
    index('payments_user_created_idx').on(t.userId, t.createdAtMs),
    // Partial, like the ledger's: each covers only the rows its readers ask for, so a write-ahead (a
    // 'reserved' row, not yet paid) adds to one of them only, and a settled payment leaves the first.
    // Readers spell the condition out literally (status IN ('reserved', 'paying')) so SQLite picks it.
    // The reconciler's work list: payments whose outcome is not settled yet.
    index('payments_open_status_idx').on(t.status).where(sql`status IN ('reserved', 'paying')`),
    // Provider reputation and dispute windows read paid purchases by when they were paid.
    index('payments_paid_at_idx').on(t.paidAtMs).where(sql`paid_at_ms IS NOT NULL`),
    // A provider's payments, newest first: its name from the latest step that paid it (a provider no
    // longer in the catalog) and its disputes in the operators' history, without reading every payment.
    index('payments_provider_created_idx').on(t.providerId, t.createdAtMs),
    check('payments_amount_positive', sql`${t.amountMsat} > 0`),
    check('payments_fee_nonnegative', sql`${t.feeMsat} IS NULL OR ${t.feeMsat} >= 0`),
    check('payments_hash_hex', sql`length(${t.paymentHash}) = 64`),
  ],
);

export type PaymentRow = typeof payments.$inferSelect;
export type NewPaymentRow = typeof payments.$inferInsert;

/**
 * One reusable L402 token per (user, origin, service). Macaroon and preimage together are a bearer
 * credential, so both are sealed with the secret box, bound to this row's key as associated data.
 */
export const l402Tokens = sqliteTable(
  'l402_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    origin: text('origin').notNull(),
    service: text('service').notNull(),
    macaroonSealed: text('macaroon_sealed').notNull(),
    preimageSealed: text('preimage_sealed').notNull(),
    // Predicted from `<service>_valid_until` caveats; null when the token states none.
    expiresAtMs: integer('expires_at_ms'),
    paymentId: text('payment_id').references(() => payments.id),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [uniqueIndex('l402_tokens_key_unique').on(t.userId, t.origin, t.service)],
);

export type L402TokenRow = typeof l402Tokens.$inferSelect;
