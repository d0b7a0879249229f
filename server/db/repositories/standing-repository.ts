// SQL for where providers stand (server/domain/reputation/standing.ts): blocklists, paused services and
// the operators' pause policy.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { pausePolicy, providerBlocks, servicePauses, type PausePolicyRow, type ProviderBlockRow, type ServicePauseRow } from '../schema/standing';

export type StandingRepository = ReturnType<typeof createStandingRepository>;

export function createStandingRepository(db: Db) {
  return {
    /** False when the person had already blocked this provider. */
    block(row: ProviderBlockRow): boolean {
      return db.insert(providerBlocks).values(row).onConflictDoNothing().run().changes === 1;
    },
    /** False when the provider was not blocked. */
    unblock(userId: string, providerId: string): boolean {
      return db.delete(providerBlocks).where(and(eq(providerBlocks.userId, userId), eq(providerBlocks.providerId, providerId))).run().changes === 1;
    },
    isBlocked(userId: string, providerId: string): boolean {
      return db.select({ id: providerBlocks.providerId }).from(providerBlocks).where(and(eq(providerBlocks.userId, userId), eq(providerBlocks.providerId, providerId))).get() !== undefined;
    },
    blockedBy(userId: string): ProviderBlockRow[] {
      return db.select().from(providerBlocks).where(eq(providerBlocks.userId, userId)).orderBy(providerBlocks.providerName).all();
    },
    /** False when the service was already paused. */
    pause(row: ServicePauseRow): boolean {
      return db.insert(servicePauses).values(row).onConflictDoNothing().run().changes === 1;
    },
    /** The pause lifted, or undefined when the service was not paused. */
    resume(serviceId: string): ServicePauseRow | undefined {
      return db.delete(servicePauses).where(eq(servicePauses.serviceId, serviceId)).returning().get();
    },
    pauseOf(serviceId: string): ServicePauseRow | undefined {
      return db.select().from(servicePauses).where(eq(servicePauses.serviceId, serviceId)).get();
    },
    paused(): ServicePauseRow[] {
      return db.select().from(servicePauses).orderBy(servicePauses.pausedAtMs).all();
    },
    policy(): PausePolicyRow | undefined {
      return db.select().from(pausePolicy).where(eq(pausePolicy.id, 1)).get();
    },
    savePolicy(row: Omit<PausePolicyRow, 'id'>): void {
      db.insert(pausePolicy).values({ id: 1, ...row }).onConflictDoUpdate({ target: pausePolicy.id, set: row }).run();
    },
  };
}
