// SQL for card top-ups and the Stripe events they have seen (server/db/schema/topups.ts).
import { and, eq, gte, inArray, isNotNull, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { stripeEvents, topUps, type NewTopUpRow, type TopUpRow } from '../schema/topups';

export type TopUpsRepository = ReturnType<typeof createTopUpsRepository>;
export type TopUpPatch = Partial<Omit<TopUpRow, 'id' | 'userId' | 'createdAtMs'>>;

/** Statuses whose funding is not finished: the retry loop picks these up. */
const FUNDING_STATUSES = ['paid', 'funding', 'funding_delayed'] as const;

export function createTopUpsRepository(db: Db) {
  // The webhook's hot path (every delivery reads these), prepared once rather than built and prepared per call.
  const byIdQuery = db.select().from(topUps).where(eq(topUps.id, sql.placeholder('id'))).prepare();
  const eventSeenQuery = db.select({ id: stripeEvents.eventId }).from(stripeEvents).where(eq(stripeEvents.eventId, sql.placeholder('id'))).prepare();
  const recordEventQuery = db
    .insert(stripeEvents)
    .values({ eventId: sql.placeholder('eventId'), type: sql.placeholder('type'), outcome: sql.placeholder('outcome'), receivedAtMs: sql.placeholder('atMs') })
    .prepare();
  // Read twice by every spend decision (the policy read and the budget precondition): plain SQL on the
  // connection, as drizzle's per-call placeholder filling and row mapping cost more than the lookup.
  const owedQuery = db.$client.prepare<[string], { total: number }>(
    'SELECT coalesce(sum(owed_msat), 0) AS total FROM top_ups WHERE user_id = ? AND funded_at_ms IS NOT NULL',
  );
  return {
    insert(row: NewTopUpRow): void {
      db.insert(topUps).values(row).run();
    },
    byId(id: string): TopUpRow | undefined {
      return byIdQuery.get({ id });
    },
    forUser(userId: string, id: string): TopUpRow | undefined {
      return db.select().from(topUps).where(and(eq(topUps.id, id), eq(topUps.userId, userId))).get();
    },
    bySessionId(sessionId: string): TopUpRow | undefined {
      return db.select().from(topUps).where(eq(topUps.stripeSessionId, sessionId)).get();
    },
    byPaymentIntent(paymentIntentId: string): TopUpRow | undefined {
      return db.select().from(topUps).where(eq(topUps.paymentIntentId, paymentIntentId)).get();
    },
    update(id: string, patch: TopUpPatch): void {
      db.update(topUps).set(patch).where(eq(topUps.id, id)).run();
    },
    /**
     * Cents of the person's top-ups since `sinceMs` that count against the daily limit: paid ones, and
     * open sessions younger than `openSinceMs` (an older open session can no longer be paid).
     */
    usedUsdCentsSince(userId: string, sinceMs: number, openSinceMs: number): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${topUps.amountUsdCents}), 0)` })
        .from(topUps)
        .where(
          and(
            eq(topUps.userId, userId),
            gte(topUps.createdAtMs, sinceMs),
            or(notInArray(topUps.status, ['created', 'failed', 'expired']), and(eq(topUps.status, 'created'), gte(topUps.createdAtMs, openSinceMs))),
          ),
        )
        .get();
      return row?.total ?? 0;
    },
    /** Top-ups whose funding is due for a (re)try at `nowMs`. */
    dueForFunding(nowMs: number, limit: number): TopUpRow[] {
      return db
        .select()
        .from(topUps)
        .where(and(inArray(topUps.status, [...FUNDING_STATUSES]), lte(topUps.nextAttemptAtMs, nowMs)))
        .limit(limit)
        .all();
    },
    /**
     * Credited top-ups whose reversal is not settled: a debt the person's funds did not yet cover, or a
     * refund or dispute recorded but not yet taken back (a crash between the two transactions).
     */
    withUnsettledReversal(): TopUpRow[] {
      const refundedShare = sql`${topUps.amountMsat} * ${topUps.refundedUsdCents} / ${topUps.amountUsdCents}`;
      const target = sql`CASE WHEN ${topUps.disputed} <> 0 THEN ${topUps.amountMsat} ELSE min(${topUps.amountMsat}, ${refundedShare}) END`;
      return db
        .select()
        .from(topUps)
        .where(and(isNotNull(topUps.fundedAtMs), or(sql`${topUps.owedMsat} > 0`, sql`${topUps.reversedMsat} + ${topUps.owedMsat} < ${target}`)))
        .all();
    },
    /** Msat a person still owes from reversed top-ups (spending waits until it is repaid). */
    owedMsat(userId: string): number {
      return owedQuery.get(userId)?.total ?? 0;
    },
    eventSeen(eventId: string): boolean {
      return eventSeenQuery.get({ id: eventId }) !== undefined;
    },
    /** Called in the transaction that applied the event, so the event and its effect commit together. */
    recordEvent(eventId: string, type: string, outcome: string, atMs: number): void {
      recordEventQuery.run({ eventId, type, outcome, atMs });
    },
  };
}
