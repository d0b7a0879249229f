/**
 * Per-key rate limit for MCP tool calls. An agent in a loop should be slowed by its own key, never by
 * other people's traffic. Counted in the database (domain/rate-limits), so a key's calls spread over
 * several instances, or across a restart, are limited as one.
 */
import { limitSubject, type LimitPolicy, type RateLimits } from '../domain/rate-limits';

export interface KeyRateLimit {
  /** true when the call may go ahead (and is counted). */
  take(keyId: string): boolean;
}

export function createKeyRateLimit(limits: Pick<RateLimits, 'take'>, policy: LimitPolicy): KeyRateLimit {
  return {
    take: (keyId) => limits.take('mcp_call', limitSubject.agentKey(keyId), policy).allowed,
  };
}
