// SQL for alerts (server/db/schema/alerts.ts). Every query is scoped by the owner's id.
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { alerts, type AlertRow, type NewAlertRow } from '../schema/alerts';

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

export function createAlertsRepository(db: Db) {
  return {
    /** Inserts the alert; with a dedupe key already stored, inserts nothing and returns null. */
    insert(row: NewAlertRow): AlertRow | null {
      return db.insert(alerts).values(row).onConflictDoNothing().returning().get() ?? null;
    },
    byDedupeKey(userId: string, dedupeKey: string): AlertRow | undefined {
      return db.select().from(alerts).where(and(eq(alerts.userId, userId), eq(alerts.dedupeKey, dedupeKey))).get();
    },
    list(userId: string, options: { unreadOnly: boolean; limit: number; beforeId?: number }): AlertRow[] {
      return db
        .select()
        .from(alerts)
        .where(
          and(
            eq(alerts.userId, userId),
            options.unreadOnly ? isNull(alerts.readAtMs) : undefined,
            options.beforeId === undefined ? undefined : lt(alerts.id, options.beforeId),
          ),
        )
        .orderBy(desc(alerts.id))
        .limit(options.limit)
        .all();
    },
    unreadCount(userId: string): number {
      const row = db
        .select({ count: sql<number>`count(*)` })
        .from(alerts)
        .where(and(eq(alerts.userId, userId), isNull(alerts.readAtMs)))
        .get();
      return row?.count ?? 0;
    },
    /** Marks the owner's unread alert with this dedupe key read; returns how many changed (0 or 1). */
    markReadByDedupeKey(userId: string, dedupeKey: string, atMs: number): number {
      return db
        .update(alerts)
        .set({ readAtMs: atMs })
        .where(and(eq(alerts.userId, userId), eq(alerts.dedupeKey, dedupeKey), isNull(alerts.readAtMs)))
        .run().changes;
    },
    /** Marks the owner's unread alerts among `ids` read; returns how many changed. */
    markRead(userId: string, ids: readonly number[] | 'all', atMs: number): number {
      const result = db
        .update(alerts)
        .set({ readAtMs: atMs })
        .where(and(eq(alerts.userId, userId), isNull(alerts.readAtMs), ids === 'all' ? undefined : inArray(alerts.id, [...ids])))
        .run();
      return result.changes;
    },
  };
}
