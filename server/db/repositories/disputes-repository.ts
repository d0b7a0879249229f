// SQL for disputes (server/db/schema/disputes.ts) and the sums the abuse limit reads.
import { and, desc, eq, gte, inArray, isNotNull, lte, ne, sql } from 'drizzle-orm';
import type { DisputeStatus } from '../../../shared/disputes';
import type { Db } from '../client';
import { disputes, type DisputeRow, type NewDisputeRow } from '../schema/disputes';
import { payments, type PaymentRow } from '../schema/payments';

export type DisputesRepository = ReturnType<typeof createDisputesRepository>;
export type DisputePatch = Partial<Omit<DisputeRow, 'id' | 'userId' | 'createdAtMs'>>;

export function createDisputesRepository(db: Db) {
  return {
    /** False when the step (or its payment) is already disputed: the UNIQUE indexes decide races. */
    insert(row: NewDisputeRow): boolean {
      return db.insert(disputes).values(row).onConflictDoNothing().run().changes === 1;
    },
    byId(id: string): DisputeRow | undefined {
      return db.select().from(disputes).where(eq(disputes.id, id)).get();
    },
    forUser(userId: string, id: string): DisputeRow | undefined {
      return db.select().from(disputes).where(and(eq(disputes.id, id), eq(disputes.userId, userId))).get();
    },
    byStep(userId: string, taskId: string, stepId: string): DisputeRow | undefined {
      return db.select().from(disputes).where(and(eq(disputes.userId, userId), eq(disputes.taskId, taskId), eq(disputes.stepId, stepId))).get();
    },
    listForUser(userId: string, limit: number): DisputeRow[] {
      return db.select().from(disputes).where(eq(disputes.userId, userId)).orderBy(desc(disputes.createdAtMs)).limit(limit).all();
    },
    withStatus(statuses: DisputeStatus[], limit: number): DisputeRow[] {
      return db.select().from(disputes).where(inArray(disputes.status, statuses)).orderBy(disputes.createdAtMs).limit(limit).all();
    },
    /** Refunds decided and not yet in the person's wallet whose next attempt is due. */
    dueForRefund(nowMs: number, limit: number): DisputeRow[] {
      return db
        .select()
        .from(disputes)
        .where(and(eq(disputes.status, 'refunding'), lte(sql`coalesce(${disputes.nextAttemptAtMs}, 0)`, nowMs)))
        .limit(limit)
        .all();
    },
    update(id: string, patch: DisputePatch): void {
      db.update(disputes).set(patch).where(eq(disputes.id, id)).run();
    },
    /** Moves a dispute only from one of `from`: exactly one of two racing callers gets the row back. */
    transition(id: string, from: DisputeStatus[], patch: DisputePatch): DisputeRow | undefined {
      return db
        .update(disputes)
        .set(patch)
        .where(and(eq(disputes.id, id), inArray(disputes.status, from)))
        .returning()
        .get();
    },
    /** A provider's latest disputes, whoever opened them (the operators' view of its history). */
    recentForProvider(providerId: string, limit: number): DisputeRow[] {
      return db
        .select({ dispute: disputes })
        .from(disputes)
        .innerJoin(payments, eq(payments.id, disputes.paymentId))
        .where(eq(payments.providerId, providerId))
        .orderBy(desc(disputes.createdAtMs))
        .limit(limit)
        .all()
        .map((row) => row.dispute);
    },
    /** Msat the person disputed themselves since `sinceMs` (automatic non-delivery refunds do not count). */
    personDisputedSince(userId: string, sinceMs: number): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${disputes.disputedMsat}), 0)` })
        .from(disputes)
        .where(and(eq(disputes.userId, userId), ne(disputes.openedBy, 'automatic'), gte(disputes.createdAtMs, sinceMs)))
        .get();
      return row?.total ?? 0;
    },
    /** Msat paid (price plus fee) for the person's purchases since `sinceMs`. */
    paidSince(userId: string, sinceMs: number): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${payments.amountMsat} + coalesce(${payments.feeMsat}, 0)), 0)` })
        .from(payments)
        .where(and(eq(payments.userId, userId), inArray(payments.status, ['paid', 'paid_unusable']), isNotNull(payments.paidAtMs), gte(payments.paidAtMs, sinceMs)))
        .get();
      return row?.total ?? 0;
    },
    forPayments(userId: string, paymentIds: readonly string[]): DisputeRow[] {
      if (paymentIds.length === 0) return [];
      return db.select().from(disputes).where(and(eq(disputes.userId, userId), inArray(disputes.paymentId, [...paymentIds]))).all();
    },
    payment(userId: string, paymentId: string): PaymentRow | undefined {
      return db.select().from(payments).where(and(eq(payments.id, paymentId), eq(payments.userId, userId))).get();
    },
  };
}
