// What a quote is, as the task runner, approvals and the UI see it. Times are milliseconds since the
// epoch; money is integer msat (and US cents at the quote's locked rate).
import { z } from 'zod';
import { msatSchema, type BtcUsdRate, type Msat, type UsdCents } from '../../../shared/money';
import type { StandingRefusal } from '../../../shared/reputation';

/**
 * A chained step's input field is filled at run time from an earlier step's output. The quote priced
 * it at the most that output can be (from the producer's published output schema); spending refuses
 * a resolved text beyond these bounds (null: no bound was published, the consumer's own limits apply).
 */
export const chainedInputBoundSchema = z.object({
  field: z.string().min(1).max(200),
  maxChars: z.number().int().nonnegative().nullable(),
  maxWords: z.number().int().nonnegative().nullable(),
});
export type ChainedInputBound = z.infer<typeof chainedInputBoundSchema>;

const payeePubkeySchema = z.string().regex(/^[0-9a-f]{66}$/, { message: 'a node key is 33 bytes of lowercase hex' });

/** One planned call to price: a step of the agent's plan, resolved to its provider's endpoint. */
export const quoteStepInputSchema = z.object({
  stepId: z.string().min(1).max(200),
  /** The catalog id, `<providerId>/<service name>`: budgets, rules and caps are kept per serviceId. */
  serviceId: z.string().min(1).max(200),
  /** The provider's service name as its manifest and macaroons name it. */
  serviceName: z.string().min(1).max(200),
  providerName: z.string().min(1).max(200),
  providerId: z.string().min(1).max(200),
  origin: z.url({ protocol: /^https?$/ }),
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/').max(2000),
  /** GET: sent as the query string; POST: as a JSON body (the same request the purchase will send). */
  input: z.record(z.string(), z.unknown()),
  /** Usage by constraint name for formula and dynamic prices (e.g. `{ translate_words: 12 }`). */
  usage: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** The provider's published node key (manifest `node_pubkey`): an invoice from any other payee is refused. */
  payeePubkeyHex: payeePubkeySchema.nullable().optional(),
  /** The JSON Schema the service publishes for its paid answer: delivery is judged against it. */
  outputSchema: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Set when `input[chained.field]` is a stand-in for an earlier step's output. */
  chained: chainedInputBoundSchema.optional(),
});
export type QuoteStepInput = z.input<typeof quoteStepInputSchema>;

/**
 * Where a step's price came from. `manifest`: the provider's published price (advisory: the invoice is
 * still checked against priceMsatMax when paying); `challenge`: the invoice of a 402 challenge;
 * `quote_endpoint`: the provider's firm quote; `free`: the endpoint answered without asking for payment.
 */
export type QuoteStepSource = 'manifest' | 'challenge' | 'quote_endpoint' | 'free';

/** The call a quoted step makes, kept with its price so spending builds the paid request from storage. */
export const quotedCallSchema = z.object({
  providerId: z.string(),
  origin: z.string(),
  method: z.enum(['GET', 'POST']),
  path: z.string(),
  input: z.record(z.string(), z.unknown()),
  payeePubkeyHex: payeePubkeySchema.nullable(),
  chained: chainedInputBoundSchema.nullable(),
  /** The paid answer is judged against it (absent on calls kept before: any non-empty body counts). */
  outputSchema: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type QuotedCall = z.infer<typeof quotedCallSchema>;

export const quoteStepSchema = z.object({
  stepId: z.string(),
  serviceId: z.string(),
  serviceName: z.string(),
  providerName: z.string(),
  priceMsatMin: msatSchema,
  /** The most the step's invoice may ask, fees excluded; a larger invoice is price drift. */
  priceMsatMax: msatSchema,
  /** Routing-fee allowance reserved on top of the price (payments/fee-allowance.ts). */
  feeAllowanceMsat: msatSchema,
  /** priceMsatMax + feeAllowanceMsat: the most the step can take from the budget. */
  maxMsat: msatSchema,
  source: z.enum(['manifest', 'challenge', 'quote_endpoint', 'free']),
  /** Until when this price holds: the invoice's or quote's expiry, else the quote's. */
  expiresAt: z.number().int(),
  /** Absent on quotes stored before calls were kept: such a step cannot be spent (re-quote). */
  call: quotedCallSchema.optional(),
});
export interface QuoteStep {
  stepId: string;
  serviceId: string;
  serviceName: string;
  providerName: string;
  priceMsatMin: Msat;
  priceMsatMax: Msat;
  feeAllowanceMsat: Msat;
  maxMsat: Msat;
  source: QuoteStepSource;
  expiresAt: number;
  call?: QuotedCall;
}

export interface Quote {
  id: string;
  userId: string;
  taskId: string;
  createdAt: number;
  /** After this the quote is never paid: the runner re-quotes (quotes.isExpired). */
  expiresAt: number;
  /** The rate locked when the quote was made; every fiat value of the quote uses it. */
  rate: BtcUsdRate;
  steps: QuoteStep[];
  /** Sum of the steps' lowest prices (no fees). */
  totalMsatMin: Msat;
  /** Sum of the steps' maxMsat (highest prices + fee allowances). */
  totalMsatMax: Msat;
  /** totalMsatMin at the locked rate, nearest cent. */
  totalUsdCentsMin: UsdCents;
  /** totalMsatMax at the locked rate, rounded up: a budget counts a spend at least at its full value. */
  totalUsdCentsMax: UsdCents;
}

export const storedStepsSchema = z.array(quoteStepSchema);

export type DriftQuoteResult = { ok: true; quote: Quote } | { ok: false; reason: 'not_found' | 'unknown_step' };

/** `rate_unavailable`: the BTC/USD feed has no price fresh enough to lock (ExchangeRatePort). */
/** `provider_blocked` / `service_paused`: where the provider stands (domain/reputation/standing.ts). */
export type QuotePlanRefusal = 'invalid_plan' | 'probe_failed' | 'rate_unavailable' | StandingRefusal;
export type QuotePlanResult =
  | { ok: true; quote: Quote }
  | { ok: false; reason: QuotePlanRefusal; stepId?: string; message: string };
