import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SessionsRepository } from '../../db/repositories/sessions-repository';
import type { SessionRow } from '../../db/schema/accounts';
import { createLocalLiveBus, type LiveBus } from '../ports/live-bus';
import { randomToken, sha256Hex } from './tokens';
import type { Clock, RequestMeta } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * DAY_MS;
export const SESSION_ABSOLUTE_MS = 90 * DAY_MS;
// Writing last-seen on every request would turn reads into writes; once a minute is precise enough.
const TOUCH_INTERVAL_MS = 60 * 1000;
// A watched session is read again at least this often, so a stream notices an end that no event
// announced (the idle or absolute expiry passing) within a minute.
export const SESSION_RECHECK_MS = 60 * 1000;

export interface SessionSummary {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

export interface ResolvedSession {
  sessionId: string;
  userId: string;
  expiresAt: Date;
}

export type SessionService = ReturnType<typeof createSessionService>;

/** Whether a stored session is still usable at `nowMs` (neither idle too long nor past its absolute end). */
export function isSessionLive(row: Pick<SessionRow, 'expiresAtMs' | 'absoluteExpiresAtMs'>, nowMs: number): boolean {
  return row.expiresAtMs > nowMs && row.absoluteExpiresAtMs > nowMs;
}

/**
 * Server-side sessions. The cookie holds a random 32-byte token; the table holds its SHA-256. A session
 * ends after 30 idle days or 90 days in all. Signing in always creates a new token (rotation), so a
 * token planted before sign-in (session fixation) never becomes an authenticated one.
 */
export function createSessionService(deps: { repo: SessionsRepository; now: Clock; recheckMs?: number; liveBus?: LiveBus }) {
  const recheckMs = deps.recheckMs ?? SESSION_RECHECK_MS;
  // An ended session is told on the live bus, so its streams end on every instance at once.
  const bus = deps.liveBus ?? createLocalLiveBus();
  const announceEnded = (userId: string, sessionIds: readonly string[]) => {
    for (const id of sessionIds) bus.publish({ kind: 'session', userId, id });
  };
  // Purged sessions had expired, which every instance's watch notices by itself at the expiry; only
  // this process's watchers are told at once (the purge knows ids, not whose).
  const purged = new EventEmitter().setMaxListeners(0);

  return {
    create(userId: string, meta: RequestMeta): { token: string; expiresAt: Date } {
      const nowMs = deps.now().getTime();
      const token = randomToken();
      const row: SessionRow = {
        id: randomUUID(),
        userId,
        tokenHash: sha256Hex(token),
        userAgent: meta.userAgent?.slice(0, 256) ?? null,
        ip: meta.ip,
        createdAtMs: nowMs,
        lastSeenAtMs: nowMs,
        expiresAtMs: nowMs + SESSION_IDLE_MS,
        absoluteExpiresAtMs: nowMs + SESSION_ABSOLUTE_MS,
      };
      deps.repo.insert(row);
      return { token, expiresAt: new Date(row.expiresAtMs) };
    },

    /** The live session for a cookie token, or null (unknown, idle too long, or past its absolute end). */
    resolve(token: string): ResolvedSession | null {
      const row = deps.repo.findByTokenHash(sha256Hex(token));
      if (!row) return null;
      const nowMs = deps.now().getTime();
      if (!isSessionLive(row, nowMs)) {
        if (deps.repo.deleteForUser(row.userId, row.id)) announceEnded(row.userId, [row.id]);
        return null;
      }
      let expiresAtMs = row.expiresAtMs;
      if (nowMs - row.lastSeenAtMs >= TOUCH_INTERVAL_MS) {
        expiresAtMs = Math.min(nowMs + SESSION_IDLE_MS, row.absoluteExpiresAtMs);
        deps.repo.touch(row.id, nowMs, expiresAtMs);
      }
      return { sessionId: row.id, userId: row.userId, expiresAt: new Date(expiresAtMs) };
    },

    list(userId: string, currentSessionId: string | null): SessionSummary[] {
      const nowMs = deps.now().getTime();
      return deps.repo
        .listForUser(userId)
        .filter((row) => isSessionLive(row, nowMs))
        .map((row) => ({
          id: row.id,
          userAgent: row.userAgent,
          ip: row.ip,
          createdAt: new Date(row.createdAtMs).toISOString(),
          lastSeenAt: new Date(row.lastSeenAtMs).toISOString(),
          current: row.id === currentSessionId,
        }));
    },

    /** Ends one of the user's own sessions; false when no such session belongs to them. */
    revoke(userId: string, sessionId: string): boolean {
      const revoked = deps.repo.deleteForUser(userId, sessionId);
      if (revoked) announceEnded(userId, [sessionId]);
      return revoked;
    },

    revokeAll(userId: string): number {
      const ended = deps.repo.deleteAllForUser(userId);
      announceEnded(userId, ended);
      return ended.length;
    },

    /** Ends every session of the user except `keepSessionId` (the one asking), e.g. after a password change. */
    revokeOthers(userId: string, keepSessionId: string): number {
      const ended = deps.repo.deleteOthersForUser(userId, keepSessionId);
      announceEnded(userId, ended);
      return ended.length;
    },

    purgeExpired(): number {
      const ended = deps.repo.deleteExpired(deps.now().getTime());
      for (const id of ended) purged.emit(id);
      return ended.length;
    },

    /**
     * Calls `onEnded` once when the session ends: at once when it is revoked (sign-out, sign out
     * everywhere, a revoked device), and within `recheckMs` of its expiry, however it came about.
     * Checked immediately too, so a session that ended before the watch began is reported. Returns
     * the function that stops watching; live streams hold it for as long as they are open.
     */
    watch(sessionId: string, onEnded: () => void): () => void {
      let timer: NodeJS.Timeout | undefined;
      let stopListening: (() => void) | null = null;
      const stop = () => {
        clearTimeout(timer);
        purged.off(sessionId, end);
        stopListening?.();
      };
      function end() {
        stop();
        onEnded();
      }
      function check() {
        const row = deps.repo.findById(sessionId);
        const nowMs = deps.now().getTime();
        if (!row || !isSessionLive(row, nowMs)) return end();
        stopListening ??= bus.subscribe('session', row.userId, (id) => {
          if (id === sessionId) end();
        });
        const untilExpiry = Math.min(row.expiresAtMs, row.absoluteExpiresAtMs) - nowMs;
        timer = setTimeout(check, Math.min(untilExpiry, recheckMs));
        timer.unref();
      }
      purged.once(sessionId, end);
      check();
      return stop;
    },
  };
}
