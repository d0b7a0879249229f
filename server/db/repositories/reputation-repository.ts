// SQL for provider reputation (server/domain/reputation): one grouped read over payments and disputes.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { payments } from '../schema/payments';
import { taskSteps } from '../schema/tasks';

/** One service's raw counts since a moment, per origin it was called at (shared/reputation.ts reputationKey). */
export interface ReputationCounts {
  providerId: string;
  serviceId: string;
  origin: string;
  paidCalls: number;
  notDeliveredCalls: number;
  disputesOpened: number;
  refunds: number;
  refundedMsat: number;
}

export type ReputationRepository = ReturnType<typeof createReputationRepository>;

export function createReputationRepository(db: Db) {
  return {
    /**
     * Counts per (origin, provider, service) since `sinceMs`, in one statement. Each branch of the UNION ALL reads
     * its own time index (payments_paid_at_idx, disputes_created_idx, disputes_refunded_idx), so the cost
     * follows the window, not the table. A dispute counts when it opened in the window; its refund when
     * the refund landed in the window; both are attributed to the disputed payment's origin, provider and service.
     */
    countsSince(sinceMs: number): ReputationCounts[] {
      return db.all<ReputationCounts>(sql`
        SELECT origin, provider_id AS providerId, service_id AS serviceId,
               sum(paid) AS paidCalls, sum(not_delivered) AS notDeliveredCalls,
               sum(opened) AS disputesOpened, sum(refunded) AS refunds, sum(refund_msat) AS refundedMsat
        FROM (
          SELECT p.origin, p.provider_id, p.service_id, 1 AS paid, CASE WHEN p.delivery = 'paid_not_delivered' THEN 1 ELSE 0 END AS not_delivered,
                 0 AS opened, 0 AS refunded, 0 AS refund_msat
          FROM payments p
          WHERE p.paid_at_ms >= ${sinceMs} AND p.status IN ('paid', 'paid_unusable')
          UNION ALL
          SELECT p.origin, p.provider_id, p.service_id, 0, 0, 1, 0, 0
          FROM disputes d JOIN payments p ON p.id = d.payment_id
          WHERE d.created_at_ms >= ${sinceMs}
          UNION ALL
          SELECT p.origin, p.provider_id, p.service_id, 0, 0, 0, 1, d.refund_msat
          FROM disputes d JOIN payments p ON p.id = d.payment_id
          WHERE d.refunded_at_ms >= ${sinceMs} AND d.status = 'refunded'
        ) AS events
        GROUP BY origin, provider_id, service_id
        ORDER BY provider_id, service_id, origin
      `);
    },

    /**
     * The provider's name on the latest task step that paid it (this person's steps only, or anyone's
     * when `userId` is null): how a provider no longer in the catalog is still named. Steps of tasks are
     * the only payers that record a name; none found is null.
     */
    stepProviderName(userId: string | null, providerId: string): string | null {
      const mine = userId === null ? undefined : eq(payments.userId, userId);
      const row = db
        .select({ name: taskSteps.providerName })
        .from(payments)
        .innerJoin(taskSteps, eq(taskSteps.paymentId, payments.id))
        .where(and(eq(payments.providerId, providerId), mine))
        .orderBy(desc(payments.createdAtMs))
        .limit(1)
        .get();
      return row?.name ?? null;
    },
  };
}
