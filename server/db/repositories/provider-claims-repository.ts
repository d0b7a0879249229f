// SQL for claims against providers (server/db/schema/disputes.ts `provider_claims`).
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { providerClaims, type ProviderClaimRow } from '../schema/disputes';

export type ProviderClaimsRepository = ReturnType<typeof createProviderClaimsRepository>;

export function createProviderClaimsRepository(db: Db) {
  return {
    /** False when the dispute already has its claim (UNIQUE dispute_id): a retry records nothing twice. */
    insert(row: typeof providerClaims.$inferInsert): boolean {
      return db.insert(providerClaims).values(row).onConflictDoNothing().run().changes === 1;
    },
    byDispute(disputeId: string): ProviderClaimRow | undefined {
      return db.select().from(providerClaims).where(eq(providerClaims.disputeId, disputeId)).get();
    },
    /** Newest first: open claims are what an operator pursues. */
    list(limit: number): ProviderClaimRow[] {
      return db.select().from(providerClaims).orderBy(desc(providerClaims.createdAtMs)).limit(limit).all();
    },
    /** Settles an open claim; undefined when it is unknown or already settled (of two operators, one wins). */
    settle(id: string, patch: { note: string | null; settledBy: string; atMs: number }): ProviderClaimRow | undefined {
      return db
        .update(providerClaims)
        .set({ status: 'settled', note: patch.note, settledBy: patch.settledBy, settledAtMs: patch.atMs, updatedAtMs: patch.atMs })
        .where(and(eq(providerClaims.id, id), eq(providerClaims.status, 'open')))
        .returning()
        .get();
    },
  };
}
