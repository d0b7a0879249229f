import ipaddr from 'ipaddr.js';
import type { CountedWindow, RateLimitsRepository } from '../../db/repositories/rate-limits-repository';

/**
 * Every limit Steward counts. The numbers live where each is enforced: the tRPC procedures' limits in
 * http/rate-limits.ts (DEFAULT_RATE_LIMITS), the MCP tool calls' in mcp/http.ts.
 */
export type LimitName =
  | 'sign_in'
  | 'sign_up'
  | 'code_check'
  | 'wallet_connection'
  | 'wallet_invoice'
  | 'wallet_lookup'
  | 'data_export'
  | 'task_submit'
  | 'provider_add'
  | 'top_up_create'
  | 'mcp_call';

/** At most `max` attempts in a fixed window of `windowMs` that starts at a subject's first attempt. */
export interface LimitPolicy {
  max: number;
  windowMs: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Whom a limit counts. Prefixed, so an address can never be mistaken for a person, an account or a key.
 * `account` is the email a sign-in names, known or not, so the limit says nothing about which exist.
 */
export const limitSubject = {
  address: (ip: string) => `ip:${clientNetwork(ip)}`,
  person: (userId: string) => `person:${userId}`,
  account: (email: string) => `account:${email}`,
  agentKey: (keyId: string) => `key:${keyId}`,
};

/**
 * The network one client controls: an IPv4 address itself, an IPv6 address's /64. A single host is
 * routinely given a whole /64 and may take a new address of it for every request, so counting each
 * IPv6 address apart would not limit it at all. An IPv4-mapped IPv6 address is its IPv4 address.
 */
export function clientNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

/**
 * The one rule: an attempt is allowed while its window holds no more than `max` attempts, itself
 * included. A refused one says when the window ends, in whole seconds rounded up (never 0, so a client
 * that waits that long is never refused again for the same window).
 */
export function verdictFor(window: CountedWindow, policy: LimitPolicy, nowMs: number): LimitVerdict {
  if (window.attempts <= policy.max) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.windowEndsAtMs - nowMs) / 1000)) };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/**
 * Rate limits counted in the database, not in a process: every instance sharing the database counts the
 * same attempts (a client cannot spread its guesses over instances), and a restart forgets none.
 */
export function createRateLimits(deps: { repo: RateLimitsRepository; now: () => number }) {
  return {
    /** Counts one attempt by `subject` against `limit`, and says whether it may go ahead. */
    take(limit: LimitName, subject: string, policy: LimitPolicy): LimitVerdict {
      const nowMs = deps.now();
      return verdictFor(deps.repo.count(limit, subject, nowMs, policy.windowMs), policy, nowMs);
    },
    /** Forgets windows that have ended; run now and then (compose.ts), on any instance. */
    prune(): number {
      return deps.repo.deleteEnded(deps.now());
    },
  };
}
