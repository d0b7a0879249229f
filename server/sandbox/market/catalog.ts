/**
 * The demo market's providers and services. Each service validates its own input, says which
 * constraints a request consumes, prices a bundle of constraints, and generates its content.
 */
import { z } from 'zod';
import { FIAT_CURRENCIES, REPORT_PERIODS, btcPrice, feeEstimate, marketReport, type BtcUsdSeries } from './content/bitcoin';
import { HEADLINE_TOPICS, headlinesFor } from './content/headlines';
import { JOKE_TOPICS, tellJoke } from './content/jokes';
import { TARGET_LANGUAGES, analyseSentiment, summarise, translate, words } from './content/text';
import { weatherFor } from './content/weather';
import {
  btcPriceOutput,
  feeEstimateOutput,
  headlinesOutput,
  jokeOutput,
  marketReportOutput,
  outputJsonSchema,
  sentimentOutput,
  summariseOutput,
  translateOutput,
  weatherOutput,
} from './outputs';

export interface MarketProvider {
  id: string;
  name: string;
  /**
   * How it answers a refund request (refunds.ts), when it publishes a refund endpoint: some pay the
   * return invoice, one refuses, the rest have none, so every branch of provider refunds runs offline.
   */
  refunds?: 'pays' | 'refuses';
}

/** Static so the stack can create one wallet node per provider before the market starts. */
export const MARKET_PROVIDERS: readonly MarketProvider[] = [
  { id: 'satoshi-jokes', name: 'Satoshi Jokes', refunds: 'pays' },
  { id: 'block-data', name: 'Block Data', refunds: 'refuses' },
  { id: 'wordsmith', name: 'Wordsmith', refunds: 'pays' },
  { id: 'skycast', name: 'SkyCast' },
  { id: 'daily-ledger', name: 'Daily Ledger' },
  // Sells the same weather as SkyCast (same input and output schemas): an agent may choose either.
  { id: 'nimbus', name: 'Nimbus' },
  // Hosts the misbehaving endpoints, which are kept out of the catalog and the manifest.
  { id: 'rogue-labs', name: 'Rogue Labs' },
];

export interface FormulaComponent {
  constraint: string;
  priceMsatPerUnit: number;
  unit: number;
}

export type Pricing =
  | { model: 'fixed'; priceMsat: number }
  | { model: 'formula'; baseMsat: number; components: FormulaComponent[] }
  | { model: 'dynamic' };

/** A request that passed validation: what it consumes and how to produce its content. */
export interface ParsedRequest {
  usage: Record<string, number>;
  /** `usdAt`: the market's BTC/USD series (its own, or a pinned price), for the services that quote it. */
  respond(nowMs: number, usdAt: BtcUsdSeries): unknown;
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; issues: z.core.$ZodIssue[] };

export interface Service {
  name: string;
  providerId: string;
  description: string;
  /** Words and sample requests a person might use for this service; agents rank services on them. */
  tags: string[];
  examples: string[];
  method: 'GET' | 'POST';
  path: string;
  pricing: Pricing;
  /** Upper bounds of the constraints a token may carry, as published in the manifest. */
  constraints: Record<string, { type: 'integer'; min: number; max: number }>;
  validitySec: number;
  inputJsonSchema: Record<string, unknown>;
  /** JSON Schema of the paid response body. */
  outputJsonSchema: Record<string, unknown>;
  /** The output's main text, for a client that feeds one service's answer into another (summarise -> translate). */
  outputTextField?: string;
  /**
   * The input property the main text is an excerpt of (never longer in characters or words), so a
   * client can bound what the next step of a chain will cost before this one runs.
   */
  outputTextWithin?: string;
  /** `raw` is the query object for GET and the parsed JSON body for POST. */
  parse(raw: unknown): ParseResult;
  /** Invoice amount for a bundle of constraints at `nowMs`; all services price through this. */
  priceMsat(usage: Record<string, number>, nowMs: number): number;
}

type ServiceFields = Omit<Service, 'parse' | 'inputJsonSchema' | 'outputJsonSchema' | 'outputTextField' | 'priceMsat' | 'constraints'>;

interface ServiceDefinition<S extends z.ZodType, O extends z.ZodObject> extends ServiceFields {
  input: S;
  /** What `respond` returns; published as the output schema, so the two cannot disagree at compile time. */
  output: O;
  /** Only a string property of the output qualifies. */
  outputTextField?: { [K in keyof z.output<O>]: z.output<O>[K] extends string ? K : never }[keyof z.output<O>] & string;
  constraints?: Service['constraints'];
  usage?(input: z.output<S>): Record<string, number>;
  dynamicPriceMsat?(usage: Record<string, number>, nowMs: number): number;
  respond(input: z.output<S>, nowMs: number, usdAt: BtcUsdSeries): z.output<O>;
}

function defineService<S extends z.ZodType, O extends z.ZodObject>(def: ServiceDefinition<S, O>): Service {
  const { input, output, usage, dynamicPriceMsat, respond, constraints = {}, ...rest } = def;
  return {
    ...rest,
    constraints,
    inputJsonSchema: z.toJSONSchema(input, { io: 'input' }) as Record<string, unknown>,
    outputJsonSchema: outputJsonSchema(output),
    parse(raw) {
      const parsed = input.safeParse(raw);
      if (!parsed.success) return { ok: false, issues: parsed.error.issues };
      const value = parsed.data;
      return { ok: true, request: { usage: usage?.(value) ?? {}, respond: (nowMs, usdAt) => respond(value, nowMs, usdAt) } };
    },
    priceMsat(used, nowMs) {
      const pricing = def.pricing;
      if (pricing.model === 'fixed') return pricing.priceMsat;
      if (pricing.model === 'formula') {
        // base + sum(price_per_unit * ceil(value / unit)), exactly as the agent spec defines `formula`.
        return pricing.components.reduce(
          (total, c) => total + c.priceMsatPerUnit * Math.ceil((used[c.constraint] ?? 0) / c.unit),
          pricing.baseMsat,
        );
      }
      if (!dynamicPriceMsat) throw new Error(`dynamic service ${def.name} has no price function`);
      return dynamicPriceMsat(used, nowMs);
    },
  };
}

const SAT = 1000;
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(d)), 'not a real date');
const todayIso = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);
const MAX_SUMMARY_CHARS = 20_000;
const MAX_TRANSLATE_WORDS = 1_000;

/** One input for both weather services, so their published schemas are the same and they are interchangeable. */
const weatherInput = z.strictObject({
  city: z.string().trim().min(1).max(80).describe('City name, e.g. London'),
  date: isoDate.optional().describe('YYYY-MM-DD; default today (UTC)'),
});

/** Busier hours cost more: +0..50% by hour of day (UTC), so the price is only knowable by quote. */
function demandFactorPct(nowMs: number): number {
  const hour = new Date(nowMs).getUTCHours();
  return 100 + Math.round(50 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12)));
}

export const SERVICES: readonly Service[] = [
  defineService({
    name: 'joke',
    providerId: 'satoshi-jokes',
    description: 'A short joke on a chosen topic. The cheapest thing in the market: 1 sat.',
    tags: ['joke', 'humour', 'funny', 'laugh'],
    examples: ['tell me a joke', 'a funny joke about programming', 'make me laugh'],
    method: 'GET',
    path: '/v1/joke',
    pricing: { model: 'fixed', priceMsat: 1 * SAT },
    validitySec: 3600,
    input: z.strictObject({
      topic: z.enum(JOKE_TOPICS).default('bitcoin').describe('Joke topic'),
      seed: z.string().max(64).optional().describe('Any string; the same seed gives the same joke. Default: the current minute'),
    }),
    output: jokeOutput,
    respond: (input, nowMs) => tellJoke({ topic: input.topic, seed: input.seed ?? String(Math.floor(nowMs / 60_000)) }),
  }),
  defineService({
    name: 'btc-price',
    providerId: 'block-data',
    description: 'Current BTC price in a fiat currency, with 24 h change and sats per unit.',
    tags: ['bitcoin price', 'exchange rate', 'btc', 'market price'],
    examples: ['what is the bitcoin price', 'BTC price in euros', 'how much is one bitcoin worth in dollars'],
    method: 'GET',
    path: '/v1/btc/price',
    pricing: { model: 'fixed', priceMsat: 10 * SAT },
    validitySec: 600,
    input: z.strictObject({ currency: z.enum(FIAT_CURRENCIES).default('USD').describe('Fiat currency code') }),
    output: btcPriceOutput,
    respond: (input, nowMs, usdAt) => btcPrice({ currency: input.currency, nowMs, usdAt }),
  }),
  defineService({
    name: 'fee-estimate',
    providerId: 'block-data',
    description: 'On-chain fee rate estimates (sat/vB) for several confirmation targets.',
    tags: ['fees', 'fee rate', 'mempool', 'on-chain', 'transaction fee'],
    examples: ["today's fee estimate", 'what fee should my transaction pay to confirm soon', 'current mempool fee rates'],
    method: 'GET',
    path: '/v1/btc/fees',
    pricing: { model: 'fixed', priceMsat: 5 * SAT },
    validitySec: 600,
    input: z.strictObject({}),
    output: feeEstimateOutput,
    respond: (_input, nowMs) => feeEstimate({ nowMs }),
  }),
  defineService({
    name: 'market-report',
    providerId: 'block-data',
    description: 'Premium Bitcoin market report: OHLC, volatility, fee trend and highlights for a period.',
    tags: ['market report', 'analysis', 'volatility', 'ohlc', 'premium'],
    examples: ['weekly bitcoin market report', 'bitcoin market analysis for the month', 'how volatile was bitcoin this week'],
    method: 'GET',
    path: '/v1/btc/report',
    pricing: { model: 'fixed', priceMsat: 5000 * SAT },
    validitySec: 24 * 3600,
    input: z.strictObject({ period: z.enum(REPORT_PERIODS).default('week').describe('Report period') }),
    output: marketReportOutput,
    outputTextField: 'summary',
    respond: (input, nowMs, usdAt) => marketReport({ period: input.period, nowMs, usdAt }),
  }),
  defineService({
    name: 'sentiment',
    providerId: 'wordsmith',
    description: 'Sentiment of an English text (positive, negative or neutral) with the terms that decided it.',
    tags: ['sentiment', 'mood', 'tone', 'opinion', 'positive', 'negative'],
    examples: ['is this review positive or negative', 'analyse the sentiment of this text', 'what is the tone of this message'],
    method: 'POST',
    path: '/v1/text/sentiment',
    pricing: { model: 'fixed', priceMsat: 20 * SAT },
    validitySec: 3600,
    input: z.strictObject({ text: z.string().min(1).max(10_000).describe('English text to analyse') }),
    output: sentimentOutput,
    respond: (input) => analyseSentiment(input),
  }),
  defineService({
    name: 'summarise',
    providerId: 'wordsmith',
    description: 'Extractive summary of an English text. Priced by input length: 10 sats + 1 sat per 100 characters.',
    tags: ['summary', 'summarise', 'tl;dr', 'shorten', 'condense'],
    examples: ['summarise this article', 'give me a summary of this text', 'make this text shorter'],
    method: 'POST',
    path: '/v1/text/summarise',
    pricing: {
      model: 'formula',
      baseMsat: 10 * SAT,
      components: [{ constraint: 'summarise_input_chars', priceMsatPerUnit: 1 * SAT, unit: 100 }],
    },
    constraints: { summarise_input_chars: { type: 'integer', min: 1, max: MAX_SUMMARY_CHARS } },
    validitySec: 3600,
    input: z.strictObject({
      text: z.string().min(1).max(MAX_SUMMARY_CHARS).describe('English text to summarise'),
      sentences: z.number().int().min(1).max(10).default(3).describe('Sentences to keep'),
    }),
    usage: (input) => ({ summarise_input_chars: input.text.length }),
    output: summariseOutput,
    outputTextField: 'summary',
    outputTextWithin: 'text',
    respond: (input) => summarise(input),
  }),
  defineService({
    name: 'translate',
    providerId: 'wordsmith',
    description:
      'Translate short English text into Spanish, French, German or Portuguese. Dynamically priced per word ' +
      '(busier hours cost more): ask POST /l402/quote with constraints.translate_words.',
    tags: ['translation', 'translate', 'language'],
    examples: ['translate this to Spanish', 'say this in French', 'translate the summary into German'],
    method: 'POST',
    path: '/v1/text/translate',
    pricing: { model: 'dynamic' },
    constraints: { translate_words: { type: 'integer', min: 1, max: MAX_TRANSLATE_WORDS } },
    validitySec: 3600,
    input: z.strictObject({
      text: z.string().min(1).max(10_000).refine((t) => words(t).length >= 1 && words(t).length <= MAX_TRANSLATE_WORDS, {
        message: `text must have between 1 and ${MAX_TRANSLATE_WORDS} words`,
      }).describe('English text'),
      to: z.enum(TARGET_LANGUAGES).describe('Target language'),
    }),
    usage: (input) => ({ translate_words: words(input.text).length }),
    dynamicPriceMsat: (usage, nowMs) => {
      const wordCount = usage['translate_words'] ?? 0;
      // 5 sats + 400 msat per word, scaled by demand; integer msat with the rounding in our favour.
      return 5 * SAT + Math.ceil((wordCount * 400 * demandFactorPct(nowMs)) / 100);
    },
    output: translateOutput,
    outputTextField: 'translation',
    respond: (input) => translate(input),
  }),
  defineService({
    name: 'weather',
    providerId: 'skycast',
    description: 'Weather for a city and date: conditions, min/max temperature, rain, humidity and wind.',
    tags: ['weather', 'forecast', 'temperature', 'rain', 'wind'],
    examples: ['weather in London tomorrow', 'will it rain in Paris', "what's the temperature in Tokyo"],
    method: 'GET',
    path: '/v1/weather',
    pricing: { model: 'fixed', priceMsat: 50 * SAT },
    validitySec: 3600,
    input: weatherInput,
    output: weatherOutput,
    respond: (input, nowMs) => weatherFor({ city: input.city, date: input.date ?? todayIso(nowMs) }),
  }),
  defineService({
    name: 'city-weather',
    providerId: 'nimbus',
    description: 'Weather for a city and date, from a second weather provider: the same answer as SkyCast, a little dearer.',
    tags: ['weather', 'forecast', 'temperature', 'rain', 'wind'],
    examples: ['weather in Berlin today', 'is it going to rain in Madrid', 'forecast for Rome tomorrow'],
    method: 'GET',
    path: '/v1/nimbus/weather',
    pricing: { model: 'fixed', priceMsat: 60 * SAT },
    validitySec: 3600,
    input: weatherInput,
    output: weatherOutput,
    respond: (input, nowMs) => weatherFor({ city: input.city, date: input.date ?? todayIso(nowMs) }),
  }),
  defineService({
    name: 'headlines',
    providerId: 'daily-ledger',
    description: 'Top headlines for a topic and day.',
    tags: ['news', 'headlines', 'top stories'],
    examples: ["today's top bitcoin headlines", 'latest technology news', '5 science headlines'],
    method: 'GET',
    path: '/v1/headlines',
    pricing: { model: 'fixed', priceMsat: 100 * SAT },
    validitySec: 3600,
    input: z.strictObject({
      topic: z.enum(HEADLINE_TOPICS).default('bitcoin').describe('Topic'),
      date: isoDate.optional().describe('YYYY-MM-DD; default today (UTC)'),
      count: z.coerce.number().int().min(1).max(10).default(5).describe('How many headlines'),
    }),
    output: headlinesOutput,
    respond: (input, nowMs) => headlinesFor({ topic: input.topic, date: input.date ?? todayIso(nowMs), count: input.count }),
  }),
];

export function providerName(providerId: string): string {
  const provider = MARKET_PROVIDERS.find((p) => p.id === providerId);
  if (!provider) throw new Error(`unknown provider ${providerId}`);
  return provider.name;
}
