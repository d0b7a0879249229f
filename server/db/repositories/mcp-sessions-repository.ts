// SQL for open MCP sessions (server/db/schema/agent-keys.ts, mcp_sessions).
import { and, asc, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../client';
import { mcpSessions, type McpSessionRow } from '../schema/agent-keys';

export type McpSessionsRepository = ReturnType<typeof createMcpSessionsRepository>;

export function createMcpSessionsRepository(db: Db) {
  return {
    insert(row: Omit<McpSessionRow, 'closedAtMs'>): void {
      db.insert(mcpSessions).values(row).run();
    },
    byId(id: string): McpSessionRow | undefined {
      return db.select().from(mcpSessions).where(eq(mcpSessions.id, id)).get();
    },
    /** The key's open sessions, oldest first. */
    openForKey(keyId: string): McpSessionRow[] {
      return db
        .select()
        .from(mcpSessions)
        .where(and(eq(mcpSessions.keyId, keyId), isNull(mcpSessions.closedAtMs)))
        .orderBy(asc(mcpSessions.createdAtMs), asc(mcpSessions.id))
        .all();
    },
    touch(id: string, nowMs: number): void {
      db.update(mcpSessions).set({ lastSeenAtMs: nowMs }).where(and(eq(mcpSessions.id, id), isNull(mcpSessions.closedAtMs))).run();
    },
    /** Closes it once; true when this call closed it. */
    close(id: string, nowMs: number): boolean {
      return db.update(mcpSessions).set({ closedAtMs: nowMs }).where(and(eq(mcpSessions.id, id), isNull(mcpSessions.closedAtMs))).returning({ id: mcpSessions.id }).all().length > 0;
    },
    closeIdle(lastSeenBeforeMs: number, nowMs: number): number {
      return db
        .update(mcpSessions)
        .set({ closedAtMs: nowMs })
        .where(and(isNull(mcpSessions.closedAtMs), lt(mcpSessions.lastSeenAtMs, lastSeenBeforeMs)))
        .returning({ id: mcpSessions.id })
        .all().length;
    },
  };
}
