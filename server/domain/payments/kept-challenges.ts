/**
 * Challenges learnt while probing a price, kept so that paying within their expiry skips a round
 * trip. Keyed by the user and the exact request (method, URL, body): a challenge's price can depend
 * on all three. Each is handed out once; the gate still checks its expiry before anything is paid.
 * In memory only: after a restart the next purchase simply asks for a fresh challenge.
 */
import { createHash } from 'node:crypto';
import type { L402ChallengeOffer, L402HttpRequest } from '../ports/l402';

export interface KeptChallenges {
  keep(userId: string, request: L402HttpRequest, challenge: L402ChallengeOffer, expiresAtMs: number): void;
  /** The kept challenge for this request if it has not expired; removes it either way. */
  take(userId: string, request: L402HttpRequest, nowMs: number): L402ChallengeOffer | null;
}

/** Beyond this many kept challenges the oldest are dropped: probes nobody paid must not pile up. */
const MAX_KEPT = 1000;

function fingerprint(userId: string, request: L402HttpRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([userId, request.method.toUpperCase(), request.url, request.body ?? '']))
    .digest('hex');
}

export function createKeptChallenges(): KeptChallenges {
  const kept = new Map<string, { challenge: L402ChallengeOffer; expiresAtMs: number }>();
  return {
    keep(userId, request, challenge, expiresAtMs) {
      const key = fingerprint(userId, request);
      kept.delete(key);
      kept.set(key, { challenge, expiresAtMs });
      for (const oldest of kept.keys()) {
        if (kept.size <= MAX_KEPT) break;
        kept.delete(oldest);
      }
    },
    take(userId, request, nowMs) {
      const key = fingerprint(userId, request);
      const entry = kept.get(key);
      kept.delete(key);
      return entry && entry.expiresAtMs > nowMs ? entry.challenge : null;
    },
  };
}
