import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitBucket, RateLimitCheck } from '../api/context';

export type RateLimitSettings = Record<RateLimitBucket, { max: number; timeWindowMs: number }>;

/**
 * Attempts per client address. Generous enough for a person mistyping, tight enough that guessing
 * passwords or codes from one address is slow; the per-account 2FA lockout covers guessing spread
 * over many addresses.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  sign_in: { max: 20, timeWindowMs: 5 * 60_000 },
  sign_up: { max: 10, timeWindowMs: 10 * 60_000 },
  code_check: { max: 30, timeWindowMs: 5 * 60_000 },
};

/** Builds the per-request check the tRPC `rateLimited` middleware calls (@fastify/rate-limit stores). */
export function createRateLimiter(app: FastifyInstance, settings: RateLimitSettings): (request: FastifyRequest) => RateLimitCheck {
  const limiters = Object.fromEntries(
    (Object.keys(settings) as RateLimitBucket[]).map((bucket) => [
      bucket,
      app.createRateLimit({
        max: settings[bucket].max,
        timeWindow: settings[bucket].timeWindowMs,
        keyGenerator: (request) => `${bucket}:${request.ip}`,
      }),
    ]),
  ) as Record<RateLimitBucket, ReturnType<FastifyInstance['createRateLimit']>>;

  return (request) => async (bucket) => {
    const verdict = await limiters[bucket](request);
    // `isAllowed` means "on the allow list"; a counted request is refused only when `isExceeded`.
    if (verdict.isAllowed || !verdict.isExceeded) return { allowed: true };
    return { allowed: false, retryAfterSeconds: verdict.ttlInSeconds };
  };
}
