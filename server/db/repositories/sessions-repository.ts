// SQL for server-side sessions. The cookie carries a random token; only its SHA-256 is stored here,
// so a copy of the database does not let anyone sign in as its users.
import { and, desc, eq, lte, ne, or } from 'drizzle-orm';
import type { Db } from '../client';
import { sessions, type SessionRow } from '../schema/accounts';

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;

export function createSessionsRepository(db: Db) {
  return {
    insert(row: SessionRow): void {
      db.insert(sessions).values(row).run();
    },
    findById(sessionId: string): SessionRow | undefined {
      return db.select().from(sessions).where(eq(sessions.id, sessionId)).get();
    },
    findByTokenHash(tokenHash: string): SessionRow | undefined {
      return db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
    },
    listForUser(userId: string): SessionRow[] {
      return db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAtMs)).all();
    },
    touch(sessionId: string, lastSeenAtMs: number, expiresAtMs: number): void {
      db.update(sessions).set({ lastSeenAtMs, expiresAtMs }).where(eq(sessions.id, sessionId)).run();
    },
    /** Scoped by owner: a user can only ever delete their own session. Returns whether one was deleted. */
    deleteForUser(userId: string, sessionId: string): boolean {
      return db.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId))).run().changes === 1;
    },
    /** Returns the ids deleted, so the live streams of those sessions can be ended. */
    deleteAllForUser(userId: string): string[] {
      return db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id }).all().map((row) => row.id);
    },
    /** Every session of the user but `keepSessionId`; returns the ids deleted (their streams end). */
    deleteOthersForUser(userId: string, keepSessionId: string): string[] {
      return db
        .delete(sessions)
        .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
        .returning({ id: sessions.id })
        .all()
        .map((row) => row.id);
    },
    /** Returns the ids deleted, so the live streams of those sessions can be ended. */
    deleteExpired(nowMs: number): string[] {
      return db
        .delete(sessions)
        .where(or(lte(sessions.expiresAtMs, nowMs), lte(sessions.absoluteExpiresAtMs, nowMs)))
        .returning({ id: sessions.id })
        .all()
        .map((row) => row.id);
    },
  };
}
