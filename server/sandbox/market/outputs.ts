/**
 * The JSON body each demo service answers with once paid, as zod schemas. `defineService` types each
 * service's `respond` against its schema, and the manifest publishes them as JSON Schema
 * (`output_schema`), so a client can see what a call returns before it pays for it.
 */
import { z } from 'zod';
import { REPORT_PERIODS } from './content/bitcoin';
import { HEADLINE_TOPICS } from './content/headlines';
import { JOKE_TOPICS } from './content/jokes';
import { TARGET_LANGUAGES } from './content/text';

const isoTime = z.string().describe('ISO 8601 UTC time');
const isoDay = z.string().describe('YYYY-MM-DD');
const count = z.int().nonnegative();

export const jokeOutput = z.object({
  topic: z.enum(JOKE_TOPICS),
  setup: z.string().describe('The question'),
  punchline: z.string().describe('The answer'),
});

export const btcPriceOutput = z.object({
  pair: z.string().describe('e.g. BTC/EUR'),
  price: z.number().describe('Price of one BTC in the fiat currency'),
  change_24h_pct: z.number(),
  sats_per_unit: count.describe('Satoshis one unit of the fiat currency buys'),
  as_of: isoTime,
  source: z.string(),
});

export const feeEstimateOutput = z.object({
  unit: z.literal('sat/vB'),
  fastest: count.describe('Next block'),
  half_hour: count,
  hour: count,
  economy: count,
  minimum: count,
  mempool_vmb: z.number().describe('Mempool size in virtual megabytes'),
  as_of: isoTime,
});

const ohlcUsd = z.object({ open: z.number(), high: z.number(), low: z.number(), close: z.number() });

export const marketReportOutput = z.object({
  title: z.string(),
  period: z.enum(REPORT_PERIODS),
  from: isoTime,
  to: isoTime,
  price_usd: ohlcUsd,
  change_pct: z.number(),
  volatility_pct: z.number(),
  fees: z.object({ now_sat_per_vb: count, period_start_sat_per_vb: count, trend: z.enum(['rising', 'easing', 'stable']) }),
  summary: z.string().describe('The report in a few sentences'),
  highlights: z.array(z.string()),
  disclaimer: z.string(),
});

export const sentimentOutput = z.object({
  label: z.enum(['positive', 'negative', 'neutral']),
  score: z.number().min(-1).max(1).describe('Below 0 negative, above 0 positive'),
  words_analysed: count,
  matched_terms: z.array(z.object({ word: z.string(), weight: z.number() })).describe('The terms that decided the label'),
});

export const summariseOutput = z.object({
  summary: z.string().describe('The kept sentences, in their original order'),
  sentences_in: count,
  sentences_out: count,
  compression_pct: count.describe('Summary length as a percentage of the input length'),
});

export const translateOutput = z.object({
  from: z.literal('en'),
  to: z.enum(TARGET_LANGUAGES),
  translation: z.string().describe('The translated text'),
  words: count.describe('Words in the input'),
  untranslated: z.array(z.string()).describe('Words left as they were'),
  method: z.string(),
});

export const weatherOutput = z.object({
  city: z.string(),
  date: isoDay,
  condition: z.string(),
  temperature_c: z.object({ min: z.number(), max: z.number() }),
  precipitation_mm: z.number().nonnegative(),
  humidity_pct: count,
  wind_kph: count,
  source: z.string(),
});

export const headlinesOutput = z.object({
  topic: z.enum(HEADLINE_TOPICS),
  date: isoDay,
  headlines: z.array(z.object({ id: z.string(), headline: z.string(), outlet: z.string(), minutes_to_read: count })),
});

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * JSON Schema of an output. zod bounds every integer by the safe-integer range; JSON Schema's
 * `integer` already says enough for a reader, so those bounds are dropped to keep the manifest legible.
 */
export function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'output',
    override: ({ jsonSchema }) => {
      if (jsonSchema.type !== 'integer') return;
      if (jsonSchema.maximum === MAX_SAFE) delete jsonSchema.maximum;
      if (jsonSchema.minimum === -MAX_SAFE) delete jsonSchema.minimum;
    },
  }) as Record<string, unknown>;
}
