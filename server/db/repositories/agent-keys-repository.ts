// SQL for agent keys and what each key spent (server/db/schema/agent-keys.ts). Every read on behalf of
// a person takes their id; byHash is the one lookup without it (a bearer key names its own owner).
import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { agentKeySpends, agentKeys, type AgentKeyRow, type NewAgentKeyRow } from '../schema/agent-keys';

export type AgentKeysRepository = ReturnType<typeof createAgentKeysRepository>;

export function createAgentKeysRepository(db: Db) {
  return {
    insert(row: NewAgentKeyRow): AgentKeyRow {
      return db.insert(agentKeys).values(row).returning().get();
    },
    byHash(keyHash: string): AgentKeyRow | undefined {
      return db.select().from(agentKeys).where(eq(agentKeys.keyHash, keyHash)).get();
    },
    byId(userId: string, keyId: string): AgentKeyRow | undefined {
      return db.select().from(agentKeys).where(and(eq(agentKeys.userId, userId), eq(agentKeys.id, keyId))).get();
    },
    list(userId: string): AgentKeyRow[] {
      return db.select().from(agentKeys).where(eq(agentKeys.userId, userId)).orderBy(desc(agentKeys.createdAtMs)).limit(200).all();
    },
    /** Sets revoked_at once; returns the row only when this call revoked it. */
    revoke(userId: string, keyId: string, nowMs: number): AgentKeyRow | undefined {
      return db
        .update(agentKeys)
        .set({ revokedAtMs: nowMs })
        .where(and(eq(agentKeys.userId, userId), eq(agentKeys.id, keyId), isNull(agentKeys.revokedAtMs)))
        .returning()
        .get();
    },
    touch(keyId: string, nowMs: number): void {
      db.update(agentKeys).set({ lastUsedAtMs: nowMs }).where(eq(agentKeys.id, keyId)).run();
    },
    spentSince(keyId: string, sinceMs: number): number {
      const row = db
        .select({ total: sql<number>`coalesce(sum(${agentKeySpends.spentMsat}), 0)` })
        .from(agentKeySpends)
        .where(and(eq(agentKeySpends.keyId, keyId), gte(agentKeySpends.atMs, sinceMs)))
        .get();
      return row?.total ?? 0;
    },
    /** One row per payment: a replayed outcome (same payment) overwrites, never adds. */
    recordSpend(row: { paymentId: string; keyId: string; userId: string; spentMsat: number; atMs: number }): void {
      db.insert(agentKeySpends)
        .values(row)
        .onConflictDoUpdate({ target: agentKeySpends.paymentId, set: { spentMsat: row.spentMsat } })
        .run();
    },
    /** Payment ids spent through the key, newest first. */
    paymentIds(userId: string, keyId: string, limit: number): string[] {
      return db
        .select({ paymentId: agentKeySpends.paymentId })
        .from(agentKeySpends)
        .where(and(eq(agentKeySpends.userId, userId), eq(agentKeySpends.keyId, keyId)))
        .orderBy(desc(agentKeySpends.atMs))
        .limit(limit)
        .all()
        .map((r) => r.paymentId);
    },
    /** Key names by payment, for the Activity page (only the person's own). */
    namesForPayments(userId: string, paymentIds: readonly string[]): Map<string, string> {
      if (paymentIds.length === 0) return new Map();
      const rows = db
        .select({ paymentId: agentKeySpends.paymentId, name: agentKeys.name })
        .from(agentKeySpends)
        .innerJoin(agentKeys, eq(agentKeys.id, agentKeySpends.keyId))
        .where(and(eq(agentKeySpends.userId, userId), sql`${agentKeySpends.paymentId} in ${paymentIds}`))
        .all();
      return new Map(rows.map((r) => [r.paymentId, r.name]));
    },
  };
}
