// SQL for the per-user security audit log. Append and read only; reads are always scoped to one user.
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../client';
import { auditEvents, type AuditEventRow } from '../schema/accounts';

export type NewAuditEventRow = typeof auditEvents.$inferInsert;
export type AuditRepository = ReturnType<typeof createAuditRepository>;

export function createAuditRepository(db: Db) {
  return {
    insert(row: NewAuditEventRow): void {
      db.insert(auditEvents).values(row).run();
    },
    /** Newest first; `beforeId` pages backwards. */
    listForUser(userId: string, options: { limit: number; beforeId?: number }): AuditEventRow[] {
      const conditions = [eq(auditEvents.userId, userId)];
      if (options.beforeId !== undefined) conditions.push(lt(auditEvents.id, options.beforeId));
      return db
        .select()
        .from(auditEvents)
        .where(and(...conditions))
        .orderBy(desc(auditEvents.id))
        .limit(options.limit)
        .all();
    },
  };
}
