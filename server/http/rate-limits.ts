import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitBucket, RateLimitCheck } from '../api/context';

export type RateLimitSettings = Record<RateLimitBucket, { max: number; timeWindowMs: number }>;

/**
 * Attempts per client address (per person for `wallet_connection` and `data_export`). Generous enough for a person
 * mistyping, tight enough that guessing passwords or codes from one address is slow; the per-account
 * 2FA lockout covers guessing spread over many addresses. `wallet_connection` bounds what a signed-in
 * person can make the server do towards wallets (connect own wallet, withdraw), proof or no proof:
 * each connect attempt opens relay connections. `data_export` (per person) keeps a stolen session from
 * pulling the whole account again and again, and each export is audited where the owner sees it; a
 * fresh proof is not asked, since the export holds no secret the session could not read page by page.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  sign_in: { max: 20, timeWindowMs: 5 * 60_000 },
  sign_up: { max: 10, timeWindowMs: 10 * 60_000 },
  code_check: { max: 30, timeWindowMs: 5 * 60_000 },
  wallet_connection: { max: 10, timeWindowMs: 10 * 60_000 },
  data_export: { max: 10, timeWindowMs: 60 * 60_000 },
};

/** A request as a limiter sees it, with the person it counts for when the bucket is per person. */
type CountedRequest = FastifyRequest & { rateLimitPerson?: string };

/** Builds the per-request check the tRPC `rateLimited` middleware calls (@fastify/rate-limit stores). */
export function createRateLimiter(app: FastifyInstance, settings: RateLimitSettings): (request: FastifyRequest) => RateLimitCheck {
  const limiters = Object.fromEntries(
    (Object.keys(settings) as RateLimitBucket[]).map((bucket) => [
      bucket,
      app.createRateLimit({
        max: settings[bucket].max,
        timeWindow: settings[bucket].timeWindowMs,
        keyGenerator: (request: CountedRequest) =>
          request.rateLimitPerson === undefined ? `${bucket}:${request.ip}` : `${bucket}:person:${request.rateLimitPerson}`,
      }),
    ]),
  ) as Record<RateLimitBucket, ReturnType<FastifyInstance['createRateLimit']>>;

  return (request) => async (bucket, person) => {
    // A view of the request that names the person, so calls batched in one request keep their own key.
    const counted: CountedRequest = person === undefined ? request : Object.assign(Object.create(request) as CountedRequest, { rateLimitPerson: person });
    const verdict = await limiters[bucket](counted);
    // `isAllowed` means "on the allow list"; a counted request is refused only when `isExceeded`.
    if (verdict.isAllowed || !verdict.isExceeded) return { allowed: true };
    return { allowed: false, retryAfterSeconds: verdict.ttlInSeconds };
  };
}
