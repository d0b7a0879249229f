// What a quote is, as the task runner, approvals and the UI see it. Times are milliseconds since the
// epoch; money is integer msat (and US cents at the quote's locked rate).
import { z } from 'zod';
import { msatSchema, type BtcUsdRate, type Msat, type UsdCents } from '../../../shared/money';

/** One planned call to price: a step of the agent's plan, resolved to its provider's endpoint. */
export const quoteStepInputSchema = z.object({
  stepId: z.string().min(1).max(200),
  /** The catalog id, `<providerId>/<service name>`: budgets, rules and caps are kept per serviceId. */
  serviceId: z.string().min(1).max(200),
  /** The provider's service name as its manifest and macaroons name it. */
  serviceName: z.string().min(1).max(200),
  providerName: z.string().min(1).max(200),
  origin: z.url({ protocol: /^https?$/ }),
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/').max(2000),
  /** GET: sent as the query string; POST: as a JSON body (the same request the purchase will send). */
  input: z.record(z.string(), z.unknown()),
  /** Usage by constraint name for formula and dynamic prices (e.g. `{ translate_words: 12 }`). */
  usage: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type QuoteStepInput = z.input<typeof quoteStepInputSchema>;

/**
 * Where a step's price came from. `manifest`: the provider's published price (advisory: the invoice is
 * still checked against priceMsatMax when paying); `challenge`: the invoice of a 402 challenge;
 * `quote_endpoint`: the provider's firm quote; `free`: the endpoint answered without asking for payment.
 */
export type QuoteStepSource = 'manifest' | 'challenge' | 'quote_endpoint' | 'free';

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

export type QuotePlanRefusal = 'invalid_plan' | 'probe_failed';
export type QuotePlanResult =
  | { ok: true; quote: Quote }
  | { ok: false; reason: QuotePlanRefusal; stepId?: string; message: string };
