/**
 * Where the BTC/USD rate comes from. A quote locks the rate `current()` returns when it is made, and
 * every fiat value of that quote (its range, the policy's tier and budget checks) uses that one rate,
 * so a price feed moving mid-approval never changes what the person was shown.
 *
 * `current()` rejects with `RateUnavailableError` when it has no rate fresh enough to lock (the feed
 * is down or its newest price is older than the staleness limit): a stale rate must never be locked
 * into a quote or a top-up. Callers that lock a rate turn the rejection into a named refusal.
 *
 * Implementations: server/rails/rates/live-rate.ts (a public price endpoint with fallbacks, refreshed
 * in the background; in sandbox mode it reads the demo market's own price endpoint on loopback) and
 * server/rails/rates/fixed-rate.ts (a fixed rate, for tests and the sandbox's pinned BTC_USD_RATE).
 */
import type { BtcUsdRate } from '../../../shared/money';

export interface ExchangeRatePort {
  current(): Promise<BtcUsdRate>;
}

export type RateUnavailableReason =
  /** No price source has answered since start-up. */
  | 'no_rate'
  /** The newest price is older than the staleness limit. */
  | 'stale';

/** The one rejection of `ExchangeRatePort.current()`; `message` is a sentence an operator can act on. */
export class RateUnavailableError extends Error {
  override readonly name = 'RateUnavailableError';
  constructor(
    readonly reason: RateUnavailableReason,
    /** Age of the newest price in ms (null when there is none). */
    readonly ageMs: number | null,
    message: string,
  ) {
    super(message);
  }
}
