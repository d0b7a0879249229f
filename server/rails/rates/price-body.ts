/**
 * What a public BTC/USD price endpoint answers, read through zod. Three common shapes are understood,
 * so an operator can point RATE_URLS at any of them (and the sandbox market serves the first):
 * - Coinbase spot, `GET https://api.coinbase.com/v2/prices/BTC-USD/spot`:
 *   `{ "data": { "amount": "97250.51", "base": "BTC", "currency": "USD" } }`
 * - Kraken ticker, `GET https://api.kraken.com/0/public/Ticker?pair=XBTUSD`:
 *   `{ "error": [], "result": { "XXBTZUSD": { "c": ["97250.5", "0.01"], ... } } }` (c = last trade)
 * - CoinGecko simple price, `GET https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true`:
 *   `{ "bitcoin": { "usd": 97250.51, "last_updated_at": 1767000000 } }`; the source's own timestamp, when
 *   given, is how old the price is (a frozen feed keeps answering with an old price).
 * The price is kept to the cent per bitcoin: finer digits move no fiat figure the app shows.
 */
import { z } from 'zod';
import { btcUsdRateFromCentsPerBtc, usdCents, type BtcUsdRate } from '../../../shared/money';

/** Anything outside this is a broken feed, not a market: $100 .. $100,000,000 per BTC. */
const PLAUSIBLE_CENTS_PER_BTC = { min: 100_00, max: 100_000_000_00 } as const;

const decimalString = z.string().regex(/^\d{1,12}(\.\d{1,18})?$/, 'must be a decimal price');

const coinbaseSpot = z.object({
  data: z.object({
    amount: decimalString,
    base: z.string().regex(/^BTC$/i).optional(),
    currency: z.string().regex(/^USD$/i),
  }),
});

const krakenTicker = z.object({
  error: z.array(z.string()).max(0),
  // Exactly one pair: a ticker for several pairs does not say which one is BTC/USD.
  result: z
    .record(z.string().regex(/^X?XBTZ?USD$/), z.object({ c: z.array(decimalString).min(1) }))
    .refine((pairs) => Object.keys(pairs).length === 1, 'must hold exactly one BTC/USD pair'),
});

const coingeckoSimple = z.object({
  bitcoin: z.object({ usd: z.number().positive().finite(), last_updated_at: z.number().int().positive().optional() }),
});

export type PriceBodyFailure = 'unknown_shape' | 'implausible_price';

export interface PriceFromBody {
  rate: BtcUsdRate;
  centsPerBtc: number;
  /** When the source says it priced it (unix seconds), if it says. */
  pricedAtSec: number | null;
}

export function rateFromPriceBody(body: unknown): ({ ok: true } & PriceFromBody) | { ok: false; reason: PriceBodyFailure } {
  const price = priceIn(body);
  if (price === null) return { ok: false, reason: 'unknown_shape' };
  const centsPerBtc = Math.round(price.usdPerBtc * 100);
  if (!(centsPerBtc >= PLAUSIBLE_CENTS_PER_BTC.min && centsPerBtc <= PLAUSIBLE_CENTS_PER_BTC.max)) {
    return { ok: false, reason: 'implausible_price' };
  }
  return { ok: true, rate: btcUsdRateFromCentsPerBtc(usdCents(centsPerBtc)), centsPerBtc, pricedAtSec: price.pricedAtSec };
}

function priceIn(body: unknown): { usdPerBtc: number; pricedAtSec: number | null } | null {
  const coinbase = coinbaseSpot.safeParse(body);
  if (coinbase.success) return { usdPerBtc: Number(coinbase.data.data.amount), pricedAtSec: null };
  const kraken = krakenTicker.safeParse(body);
  if (kraken.success) return { usdPerBtc: Number(Object.values(kraken.data.result)[0]?.c[0]), pricedAtSec: null };
  const coingecko = coingeckoSimple.safeParse(body);
  if (coingecko.success) return { usdPerBtc: coingecko.data.bitcoin.usd, pricedAtSec: coingecko.data.bitcoin.last_updated_at ?? null };
  return null;
}
