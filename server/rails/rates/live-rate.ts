/**
 * The BTC/USD rate from public price endpoints: the first of `urls` that answers with a price wins
 * (the rest are fallbacks, tried in order), refreshed every `refreshMs` in the background. `current()`
 * serves the newest price while it is younger than `maxAgeMs` and rejects with RateUnavailableError
 * after that, so a feed that went quiet never has its last price locked into a quote or a top-up.
 *
 * In live mode the urls come from RATE_URLS (server/env.ts); in sandbox mode this same adapter reads
 * the demo market's price endpoint on loopback, so the app and the market's btc-price service agree.
 */
import { formatUsd, usdCents, type BtcUsdRate } from '../../../shared/money';
import { RateUnavailableError, type ExchangeRatePort } from '../../domain/ports/exchange-rate';
import { rateFromPriceBody, type PriceBodyFailure, type PriceFromBody } from './price-body';

export interface LiveRateOptions {
  /** Primary first, then fallbacks. */
  urls: readonly string[];
  /** Older than this, a price is stale and `current()` rejects. */
  maxAgeMs: number;
  refreshMs: number;
  /** Per endpoint: a slow one is abandoned for the next. */
  timeoutMs: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export type RateFetchFailure = 'unreachable' | 'timeout' | 'http_error' | 'not_json' | 'too_large' | 'stale' | PriceBodyFailure;

export interface RateReading {
  rate: BtcUsdRate;
  centsPerBtc: number;
  url: string;
  /** When the price was made: the source's own timestamp if it gave one, else when it was fetched. */
  pricedAtMs: number;
}

export type RefreshOutcome =
  | { ok: true; reading: RateReading }
  | { ok: false; failures: { url: string; reason: RateFetchFailure; detail: string }[] };

export interface LiveExchangeRate extends ExchangeRatePort {
  /** Asks the endpoints now; concurrent calls share one round. */
  refresh(): Promise<RefreshOutcome>;
  /** The newest reading, fresh or not (null before the first success). */
  newest(): RateReading | null;
  /** Refreshes every `refreshMs` until `stop()`; failures go to `onFailure` (the last price stays until stale). */
  start(onFailure: (outcome: Extract<RefreshOutcome, { ok: false }>) => void): void;
  stop(): void;
}

const MAX_BODY_CHARS = 64 * 1024;

export function createLiveExchangeRate(options: LiveRateOptions): LiveExchangeRate {
  if (options.urls.length === 0) throw new Error('a live rate needs at least one price URL');
  const now = options.now ?? Date.now;
  let newest: RateReading | null = null;
  let inFlight: Promise<RefreshOutcome> | null = null;
  let timer: NodeJS.Timeout | null = null;

  /** Endpoints in order until one gives a fresh price; a stale answer is kept only if it is newer than what we had. */
  async function refreshOnce(): Promise<RefreshOutcome> {
    const failures: Extract<RefreshOutcome, { ok: false }>['failures'] = [];
    for (const url of options.urls) {
      const fetched = await fetchRate(url, options.timeoutMs, options.fetch ?? fetch);
      if (!fetched.ok) {
        failures.push({ url, reason: fetched.reason, detail: fetched.detail });
        continue;
      }
      const fetchedAtMs = now();
      // A source's clock ahead of ours does not make its price younger than the fetch.
      const pricedAtMs = fetched.pricedAtSec === null ? fetchedAtMs : Math.min(fetched.pricedAtSec * 1000, fetchedAtMs);
      const reading: RateReading = { rate: fetched.rate, centsPerBtc: fetched.centsPerBtc, url, pricedAtMs };
      if (newest === null || reading.pricedAtMs > newest.pricedAtMs) newest = reading;
      if (fetchedAtMs - pricedAtMs <= options.maxAgeMs) return { ok: true, reading };
      failures.push({ url, reason: 'stale', detail: `priced ${Math.round((fetchedAtMs - pricedAtMs) / 1000)} s ago` });
    }
    return { ok: false, failures };
  }

  const refresh = () => (inFlight ??= refreshOnce().finally(() => (inFlight = null)));

  return {
    refresh,
    newest: () => newest,
    async current() {
      const fresh = freshReading(newest, now(), options.maxAgeMs);
      if (!fresh.ok) throw fresh.error;
      return fresh.rate;
    },
    start(onFailure) {
      if (timer) return;
      timer = setInterval(() => {
        void refresh().then((outcome) => {
          if (!outcome.ok) onFailure(outcome);
        });
      }, options.refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** The reading's rate while it is at most `maxAgeMs` old; otherwise the error `current()` rejects with. */
export function freshReading(
  reading: RateReading | null,
  nowMs: number,
  maxAgeMs: number,
): { ok: true; rate: BtcUsdRate } | { ok: false; error: RateUnavailableError } {
  if (reading === null) {
    return { ok: false, error: new RateUnavailableError('no_rate', null, 'no BTC/USD price yet: no price source has answered') };
  }
  const ageMs = nowMs - reading.pricedAtMs;
  if (ageMs <= maxAgeMs) return { ok: true, rate: reading.rate };
  const message =
    `the BTC/USD price (${formatUsd(usdCents(reading.centsPerBtc))} from ${new URL(reading.url).host}) is ` +
    `${Math.round(ageMs / 1000)} s old, over the ${Math.round(maxAgeMs / 1000)} s limit`;
  return { ok: false, error: new RateUnavailableError('stale', ageMs, message) };
}

type FetchedRate = ({ ok: true } & PriceFromBody) | { ok: false; reason: RateFetchFailure; detail: string };

/** One endpoint, one attempt, within `timeoutMs` (headers and body together). */
export async function fetchRate(url: string, timeoutMs: number, fetchImpl: typeof fetch): Promise<FetchedRate> {
  let text: string;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: 'http_error', detail: `HTTP ${response.status}` };
    }
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
    if (timedOut) return { ok: false, reason: 'timeout', detail: `no answer within ${timeoutMs} ms` };
    return { ok: false, reason: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
  }
  if (text.length > MAX_BODY_CHARS) return { ok: false, reason: 'too_large', detail: `${text.length} characters` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not_json', detail: text.slice(0, 80) };
  }
  const parsed = rateFromPriceBody(body);
  return parsed.ok ? parsed : { ok: false, reason: parsed.reason, detail: text.slice(0, 80) };
}

/** One line for logs and start-up refusals: every endpoint and why it gave no price. */
export function describeRefreshFailure(outcome: Extract<RefreshOutcome, { ok: false }>): string {
  return outcome.failures.map((f) => `${f.url}: ${f.reason} (${f.detail})`).join('; ');
}
