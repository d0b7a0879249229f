/**
 * A deterministic, time-based Bitcoin market: slow and fast waves plus per-minute noise, so the
 * price looks alive, repeats exactly for the same instant and needs no network.
 */
import { roundTo, seededRandom } from './seeded';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const FIAT_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF'] as const;
export type FiatCurrency = (typeof FIAT_CURRENCIES)[number];

// Fixed demo exchange rates per US dollar.
const PER_USD: Record<FiatCurrency, number> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.4, CHF: 0.88 };

function wave(tMs: number, periodMs: number, amplitude: number, phase = 0): number {
  return amplitude * Math.sin((2 * Math.PI * tMs) / periodMs + phase);
}

/** BTC/USD at an instant; the market's price services and its spot endpoint all read one series. */
export type BtcUsdSeries = (tMs: number) => number;

/** The sandbox's own series: BTC/USD at the minute containing `tMs`. */
export function btcUsdAt(tMs: number): number {
  const minute = Math.floor(tMs / MINUTE_MS);
  const t = minute * MINUTE_MS;
  const noise = (seededRandom('btc-noise', minute).next() - 0.5) * 0.002;
  const trend = 1 + wave(t, 30 * DAY_MS, 0.08) + wave(t, 3.7 * DAY_MS, 0.03, 1) + wave(t, 7 * HOUR_MS, 0.01, 2);
  return 68_000 * trend * (1 + noise);
}

/** A price that never moves (the sandbox's BTC_USD_RATE), so fixed fiat figures stay fixed. */
export function pinnedBtcUsd(usdPerBtc: number): BtcUsdSeries {
  return () => usdPerBtc;
}

export function btcPrice(input: { currency: FiatCurrency; nowMs: number; usdAt?: BtcUsdSeries }) {
  const usdAt = input.usdAt ?? btcUsdAt;
  const usd = usdAt(input.nowMs);
  const usdDayAgo = usdAt(input.nowMs - DAY_MS);
  const rate = PER_USD[input.currency];
  return {
    pair: `BTC/${input.currency}`,
    price: roundTo(usd * rate, 2),
    change_24h_pct: roundTo(((usd - usdDayAgo) / usdDayAgo) * 100, 2),
    sats_per_unit: Math.round(1e8 / (usd * rate)),
    as_of: new Date(Math.floor(input.nowMs / MINUTE_MS) * MINUTE_MS).toISOString(),
    source: 'Block Data composite index (sandbox)',
  };
}

/** Fee rate in sat/vB for the next-block target at `tMs`, before tiering. */
function baseFeeRate(tMs: number): number {
  const tenMinutes = Math.floor(tMs / (10 * MINUTE_MS));
  const noise = seededRandom('fee-noise', tenMinutes).next() * 3;
  return Math.max(2, 14 + wave(tMs, DAY_MS, 8, 0.5) + wave(tMs, 3.3 * DAY_MS, 5) + noise);
}

export function feeEstimate(input: { nowMs: number }) {
  const base = baseFeeRate(input.nowMs);
  const tier = (factor: number) => Math.max(1, Math.round(base * factor));
  return {
    unit: 'sat/vB' as const,
    fastest: tier(1.6),
    half_hour: tier(1.2),
    hour: tier(1),
    economy: tier(0.5),
    minimum: 1,
    mempool_vmb: roundTo(40 + base * 6, 1),
    as_of: new Date(input.nowMs).toISOString(),
  };
}

export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

const PERIOD_MS: Record<ReportPeriod, number> = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS };

export function marketReport(input: { period: ReportPeriod; nowMs: number; usdAt?: BtcUsdSeries }) {
  const spanMs = PERIOD_MS[input.period];
  const steps = 48;
  const usdAt = input.usdAt ?? btcUsdAt;
  const prices = Array.from({ length: steps + 1 }, (_, i) => usdAt(input.nowMs - spanMs + (i * spanMs) / steps));
  const open = prices[0] ?? 0;
  const close = prices[steps] ?? 0;
  const high = Math.max(...prices);
  const low = Math.min(...prices);
  const returns = prices.slice(1).map((p, i) => Math.log(p / (prices[i] ?? p)));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const stdev = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
  const changePct = ((close - open) / open) * 100;
  const feeNow = baseFeeRate(input.nowMs);
  const feeThen = baseFeeRate(input.nowMs - spanMs);
  const rng = seededRandom('report', input.period, Math.floor(input.nowMs / HOUR_MS));
  const direction = changePct > 1 ? 'rallied' : changePct < -1 ? 'slid' : 'traded sideways';
  const feeTrend: 'rising' | 'easing' | 'stable' = feeNow > feeThen * 1.1 ? 'rising' : feeNow < feeThen * 0.9 ? 'easing' : 'stable';
  return {
    title: `Bitcoin ${input.period}ly market report`,
    period: input.period,
    from: new Date(input.nowMs - spanMs).toISOString(),
    to: new Date(input.nowMs).toISOString(),
    price_usd: { open: roundTo(open, 2), high: roundTo(high, 2), low: roundTo(low, 2), close: roundTo(close, 2) },
    change_pct: roundTo(changePct, 2),
    volatility_pct: roundTo(stdev * Math.sqrt(steps) * 100, 2),
    fees: { now_sat_per_vb: Math.round(feeNow), period_start_sat_per_vb: Math.round(feeThen), trend: feeTrend },
    summary:
      `Over the past ${input.period}, bitcoin ${direction} from $${open.toFixed(0)} to $${close.toFixed(0)} ` +
      `(${changePct >= 0 ? '+' : ''}${changePct.toFixed(2)}%), within a range of $${low.toFixed(0)}-$${high.toFixed(0)}. ` +
      `On-chain fees are ${feeTrend} at about ${Math.round(feeNow)} sat/vB.`,
    highlights: [
      rng.pick([
        'Spot volumes concentrated in the European session.',
        'Derivatives funding stayed close to neutral.',
        'Long-term holders were net accumulators.',
        'Exchange balances continued their slow decline.',
      ]),
      rng.pick([
        'Lightning capacity edged higher as new channels opened.',
        'Public Lightning channel count was broadly flat.',
        'Routing fees on major Lightning nodes stayed low.',
      ]),
      feeTrend === 'rising'
        ? 'Consider batching payments or using Lightning while the mempool clears.'
        : 'A good window for consolidating UTXOs at low fee rates.',
    ],
    disclaimer: 'Generated locally by the Steward sandbox from a synthetic price series. Not financial advice.',
  };
}

/**
 * The free spot price, in Coinbase's shape (`GET /v2/prices/BTC-USD/spot`), so the app's live rate
 * adapter reads the sandbox exactly as it reads Coinbase. The amount is btc-price's USD `price` for
 * the same minute, to the cent: the app and the paid service agree.
 */
export function spotPrice(input: { nowMs: number; usdAt?: BtcUsdSeries }) {
  const { price } = btcPrice({ currency: 'USD', nowMs: input.nowMs, usdAt: input.usdAt });
  return { data: { amount: price.toFixed(2), base: 'BTC', currency: 'USD' } };
}
