// SQL for rate-limit windows (domain/rate-limits): attempts per (limit, subject) in a fixed window.
import { lte, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { rateLimitWindows } from '../schema/rate-limits';

export type RateLimitsRepository = ReturnType<typeof createRateLimitsRepository>;

/** The window an attempt was counted in, as it stands after counting it. */
export interface CountedWindow {
  attempts: number;
  windowEndsAtMs: number;
}

export function createRateLimitsRepository(db: Db) {
  const { windowStartedAtMs, windowEndsAtMs, attempts } = rateLimitWindows;
  // Evaluated against the stored row: its window has ended by the time of this attempt.
  const ended = sql`${windowEndsAtMs} <= excluded.window_started_at_ms`;
  return {
    /**
     * Counts one attempt and returns the window it landed in: a new window of `windowMs` when there is
     * none or the last one has ended, else the current one with one more attempt. One upsert statement,
     * so counting and reading the count are one step on every instance: SQLite takes the write lock for
     * the statement, and PostgreSQL locks the conflicting row and updates its latest committed version.
     * Two instances can therefore never both read the count before the last allowed attempt.
     */
    count(limitName: string, subject: string, nowMs: number, windowMs: number): CountedWindow {
      return db
        .insert(rateLimitWindows)
        .values({ limitName, subject, windowStartedAtMs: nowMs, windowEndsAtMs: nowMs + windowMs, attempts: 1 })
        .onConflictDoUpdate({
          target: [rateLimitWindows.limitName, rateLimitWindows.subject],
          set: {
            attempts: sql`CASE WHEN ${ended} THEN 1 ELSE ${attempts} + 1 END`,
            windowStartedAtMs: sql`CASE WHEN ${ended} THEN excluded.window_started_at_ms ELSE ${windowStartedAtMs} END`,
            windowEndsAtMs: sql`CASE WHEN ${ended} THEN excluded.window_ends_at_ms ELSE ${windowEndsAtMs} END`,
          },
        })
        .returning({ attempts, windowEndsAtMs })
        .get();
    },
    /** Deletes windows that have ended (they no longer limit anyone); returns how many. */
    deleteEnded(nowMs: number): number {
      return db.delete(rateLimitWindows).where(lte(windowEndsAtMs, nowMs)).run().changes;
    },
  };
}
