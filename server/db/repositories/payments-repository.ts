// SQL for payment rows (server/db/schema/payments.ts). Synchronous, so the payments domain can run
// these inside the same IMMEDIATE transaction as the ledger call they belong with. Every status
// change names the status it expects to find: an update that finds another status changes nothing
// and reports it, which is how "mark paying" refuses to hand the same payment to the wallet twice.
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { payments, type NewPaymentRow, type PaymentRow } from '../schema/payments';

type PaymentStatus = PaymentRow['status'];
type Delivery = PaymentRow['delivery'];

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;

export function createPaymentsRepository(db: Db) {
  return {
    insert(row: NewPaymentRow): PaymentRow {
      return db.insert(payments).values(row).returning().get();
    },

    byId(id: string): PaymentRow | undefined {
      return db.select().from(payments).where(eq(payments.id, id)).get();
    },

    byPaymentHash(paymentHash: string): PaymentRow | undefined {
      return db.select().from(payments).where(eq(payments.paymentHash, paymentHash)).get();
    },

    byIdempotencyKey(userId: string, idempotencyKey: string): PaymentRow | undefined {
      return db
        .select()
        .from(payments)
        .where(and(eq(payments.userId, userId), eq(payments.idempotencyKey, idempotencyKey)))
        .get();
    },

    /** Moves `id` from `from` to `to` with the given fields; false when it was not in `from`. */
    transition(
      id: string,
      from: readonly PaymentStatus[],
      to: PaymentStatus,
      fields: Partial<Pick<NewPaymentRow, 'reason' | 'feeMsat' | 'preimageHex' | 'paidAtMs' | 'resolvedAtMs'>> & { updatedAtMs: number },
    ): boolean {
      const result = db
        .update(payments)
        .set({ ...fields, status: to })
        .where(and(eq(payments.id, id), inArray(payments.status, [...from])))
        .run();
      return result.changes === 1;
    },

    recordDelivery(
      id: string,
      fields: { delivery: Delivery; reason: string | null; httpStatus: number | null; responseSha256: string | null; atMs: number },
    ): void {
      db.update(payments)
        .set({
          delivery: fields.delivery,
          // A payment's own reason (e.g. missing_preimage) is kept; a delivery reason fills a blank.
          reason: sql`coalesce(${payments.reason}, ${fields.reason})`,
          httpStatus: fields.httpStatus,
          responseSha256: fields.responseSha256,
          deliveredAtMs: fields.atMs,
          updatedAtMs: fields.atMs,
        })
        .where(eq(payments.id, id))
        .run();
    },

    /** Payments whose outcome is not settled yet: the reconciler's work list, oldest first. */
    unresolved(): PaymentRow[] {
      return db.select().from(payments).where(inArray(payments.status, ['reserved', 'paying'])).orderBy(payments.createdAtMs).all();
    },

    listForUser(userId: string, options: { limit: number; beforeMs?: number }): PaymentRow[] {
      const conditions = [eq(payments.userId, userId)];
      if (options.beforeMs !== undefined) conditions.push(lt(payments.createdAtMs, options.beforeMs));
      return db
        .select()
        .from(payments)
        .where(and(...conditions))
        .orderBy(desc(payments.createdAtMs), desc(payments.id))
        .limit(options.limit)
        .all();
    },
  };
}
