import type { FastifyRequest } from 'fastify';
import type { RateLimitBucket, RateLimitCheck } from '../api/context';
import { limitSubject, type LimitPolicy, type RateLimits } from '../domain/rate-limits';

export type RateLimitSettings = Record<RateLimitBucket, LimitPolicy>;

/**
 * Attempts per client address (an IPv6 client's /64), per person for `wallet_*`, `data_export`, `task_submit`, `provider_add` and `top_up_create`, and per
 * account too for `sign_in`. Generous enough for a person
 * mistyping, tight enough that guessing passwords or codes from one address is slow; the per-account
 * 2FA lockout covers guessing spread over many addresses. `wallet_connection` bounds what a signed-in
 * person can make the server do towards wallets (connect own wallet, withdraw), proof or no proof:
 * each connect attempt opens relay connections. `data_export` (per person) keeps a stolen session from
 * pulling the whole account again and again, and each export is audited where the owner sees it; a
 * fresh proof is not asked, since the export holds no secret the session could not read page by page.
 * `task_submit` (per person): each task has the server plan it (a paid model call when one is configured)
 * and ask providers for prices, so one account may not start them without end; a person typing, or an
 * agent over MCP (which has its own per-key limit), stays far below it.
 * `wallet_invoice` and `wallet_lookup` (per person) bound the calls that reach the person's wallet over
 * NWC each time: making an invoice, and asking about one or about the wallet's balance. The Wallet page
 * watches an open invoice every 2 s (30 a minute, 60 with the page open twice) and reads the wallet's
 * status now and then; a person makes a few invoices. Neither comes near the numbers; a script does.
 * `provider_add` (per person): each try has the server fetch a manifest from the address given; a person
 * adds a provider now and then, perhaps retyping its address a few times. `top_up_create` (per person):
 * each creates a Stripe Checkout Session; the 24-hour top-up limit counts open ones but not failed ones,
 * so without it a person could have the server call Stripe without end while Stripe refuses.
 */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  sign_in: { max: 20, windowMs: 5 * 60_000 },
  sign_up: { max: 10, windowMs: 10 * 60_000 },
  code_check: { max: 30, windowMs: 5 * 60_000 },
  wallet_connection: { max: 10, windowMs: 10 * 60_000 },
  wallet_invoice: { max: 30, windowMs: 10 * 60_000 },
  wallet_lookup: { max: 120, windowMs: 60_000 },
  data_export: { max: 10, windowMs: 60 * 60_000 },
  task_submit: { max: 60, windowMs: 60_000 },
  provider_add: { max: 20, windowMs: 10 * 60_000 },
  top_up_create: { max: 10, windowMs: 10 * 60_000 },
};

/**
 * Builds the per-request check the tRPC `rateLimited` middleware calls. Attempts are counted in the
 * database (domain/rate-limits), so every instance behind a load balancer counts the same ones.
 */
export function createRateLimiter(limits: Pick<RateLimits, 'take'>, settings: RateLimitSettings): (request: FastifyRequest) => RateLimitCheck {
  return (request) => async (bucket, who) => {
    const subject = who === undefined ? limitSubject.address(request.ip) : 'person' in who ? limitSubject.person(who.person) : limitSubject.account(who.account);
    return limits.take(bucket, subject, settings[bucket]);
  };
}
