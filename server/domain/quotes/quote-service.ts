/**
 * Quotes: what a plan will cost, learned without paying.
 *
 *   quotes.quotePlan({ userId, taskId, steps }) -> { ok: true, quote } | { ok: false, reason, stepId?, message }
 *
 * Every step is probed at once (the total time is that of the slowest probe, not the sum), through
 * a short-lived price cache. Each step's range is min..max of what the provider said (a quote
 * endpoint's price and its invoice may differ), plus a routing-fee allowance on the max. The BTC/USD
 * rate is read once and locked into the quote. A quote expires `quoteTtlMs` after it was made; an
 * expired quote is never paid: the task runner asks for a new one (isExpired).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { msat, msatToUsdCentsCeil, msatToUsdCentsRoundHalfUp, sumMsat, type BtcUsdRate, type Msat } from '../../../shared/money';
import type { Db } from '../../db/client';
import { createQuotesRepository } from '../../db/repositories/quotes-repository';
import type { QuoteRow } from '../../db/schema/quotes';
import { standingWhy, type StandingCheck } from '../../../shared/reputation';
import { DEFAULT_FEE_ALLOWANCE, feeAllowanceFor, type FeeAllowancePolicy, type PriceProbeRequest, type PriceProbeResult } from '../payments';
import { RateUnavailableError, type ExchangeRatePort } from '../ports/exchange-rate';
import { createPriceCache } from './price-cache';
import { requestForStep } from './step-request';
import { quoteStepInputSchema, storedStepsSchema, type DriftQuoteResult, type Quote, type QuotePlanResult, type QuoteStep, type QuoteStepInput } from './types';

export interface QuoteOptions {
  /** How long a probed price is reused. */
  priceCacheTtlMs: number;
  /** How long a quote (and the approval asked for it) stays payable. */
  quoteTtlMs: number;
  feeAllowance: FeeAllowancePolicy;
}

export const DEFAULT_QUOTE_OPTIONS: QuoteOptions = {
  priceCacheTtlMs: 60_000,
  quoteTtlMs: 15 * 60_000,
  feeAllowance: DEFAULT_FEE_ALLOWANCE,
};

export interface QuoteServiceDeps {
  db: Db;
  /** The payments service's `probePrice` (payments/price-probe.ts). */
  probePrice: (request: PriceProbeRequest) => Promise<PriceProbeResult>;
  rates: ExchangeRatePort;
  /** A provider the person blocked, or a paused service, is never quoted (domain/reputation/standing.ts). */
  standing: StandingCheck;
  now?: () => number;
  options?: Partial<QuoteOptions>;
}

export type QuoteService = ReturnType<typeof createQuoteService>;

/** A catalogued call whose price the manifest fixes: the same for every person and every input. */
export interface FixedPriceCall {
  serviceName: string;
  origin: string;
  method: 'GET' | 'POST';
  path: string;
}

// Manifest prices are the same for everybody; the warm-up asks as nobody in particular.
const WARMING_USER = '(price cache warm-up)';

const planSchema = z.object({
  userId: z.string().min(1),
  taskId: z.string().min(1),
  steps: z
    .array(quoteStepInputSchema)
    .min(1)
    .max(50)
    .refine((steps) => new Set(steps.map((s) => s.stepId)).size === steps.length, { message: 'step ids must be unique' }),
});

/** The step's range from one probe answer; `quoteExpiresAt` stands in for prices without their own expiry. */
function priceStep(input: QuoteStepInput, probed: Extract<PriceProbeResult, { ok: true }>, quoteExpiresAt: number, fees: FeeAllowancePolicy): QuoteStep {
  const quoted = probed.source === 'quote' ? probed.quotedMsat : null;
  const priceMsatMin = msat(quoted === null ? probed.priceMsat : Math.min(quoted, probed.priceMsat));
  const priceMsatMax = msat(quoted === null ? probed.priceMsat : Math.max(quoted, probed.priceMsat));
  // Nothing is paid for a free answer, so nothing is routed.
  const feeAllowanceMsat = probed.source === 'free' ? msat(0) : feeAllowanceFor(priceMsatMax, fees);
  return {
    stepId: input.stepId,
    serviceId: input.serviceId,
    serviceName: input.serviceName,
    providerName: input.providerName,
    priceMsatMin,
    priceMsatMax,
    feeAllowanceMsat,
    maxMsat: msat(priceMsatMax + feeAllowanceMsat),
    source: probed.source === 'quote' ? 'quote_endpoint' : probed.source,
    expiresAt: probed.expiresAtMs ?? quoteExpiresAt,
    call: {
      providerId: input.providerId,
      origin: input.origin,
      method: input.method,
      path: input.path,
      input: input.input,
      payeePubkeyHex: input.payeePubkeyHex?.toLowerCase() ?? null,
      chained: input.chained ?? null,
      outputSchema: input.outputSchema ?? null,
    },
  };
}

/** The drifting step priced at exactly the invoice's amount: what approving the re-quote authorizes. */
function repriceAtInvoice(step: QuoteStep, invoiceMsat: Msat, expiresAt: number, fees: FeeAllowancePolicy): QuoteStep {
  const feeAllowanceMsat = feeAllowanceFor(invoiceMsat, fees);
  return { ...step, priceMsatMin: invoiceMsat, priceMsatMax: invoiceMsat, feeAllowanceMsat, maxMsat: msat(invoiceMsat + feeAllowanceMsat), source: 'challenge', expiresAt };
}

function probeFailure(input: QuoteStepInput, probed: Extract<PriceProbeResult, { ok: false }>): QuotePlanResult {
  const detail = probed.detail ? ` (${probed.detail})` : '';
  return {
    ok: false,
    reason: 'probe_failed',
    stepId: input.stepId,
    message: `Could not get a price from ${input.providerName} for ${input.serviceName}: ${probed.reason.replaceAll('_', ' ')}${detail}.`,
  };
}

/** The first step whose provider the person blocked or whose service is paused: nothing is probed for such a plan. */
function standingRefusal(standing: StandingCheck, userId: string, steps: readonly QuoteStepInput[]): QuotePlanResult | null {
  for (const step of steps) {
    const reason = standing.refusalFor(userId, { providerId: step.providerId, serviceId: step.serviceId });
    if (reason) return { ok: false, reason, stepId: step.stepId, message: standingWhy(reason, step) };
  }
  return null;
}

function quoteFromRow(row: QuoteRow): Quote {
  const steps = storedStepsSchema.parse(JSON.parse(row.stepsJson));
  return {
    id: row.id,
    userId: row.userId,
    taskId: row.taskId,
    createdAt: row.createdAtMs,
    expiresAt: row.expiresAtMs,
    rate: { usdCents: row.rateUsdCents, perMsat: row.ratePerMsat },
    steps,
    totalMsatMin: msat(row.totalMsatMin),
    totalMsatMax: msat(row.totalMsatMax),
    totalUsdCentsMin: msatToUsdCentsRoundHalfUp(msat(row.totalMsatMin), { usdCents: row.rateUsdCents, perMsat: row.ratePerMsat }),
    totalUsdCentsMax: msatToUsdCentsCeil(msat(row.totalMsatMax), { usdCents: row.rateUsdCents, perMsat: row.ratePerMsat }),
  };
}

export function createQuoteService(deps: QuoteServiceDeps) {
  const now = deps.now ?? Date.now;
  const options: QuoteOptions = { ...DEFAULT_QUOTE_OPTIONS, ...deps.options };
  const repository = createQuotesRepository(deps.db);
  const cache = createPriceCache({ ttlMs: options.priceCacheTtlMs, now });

  function probeStep(userId: string, step: QuoteStepInput): Promise<PriceProbeResult> {
    const request: PriceProbeRequest = {
      userId,
      service: step.serviceName,
      request: requestForStep(step),
      ...(step.usage ? { usage: step.usage } : {}),
    };
    return cache.get(request, deps.probePrice);
  }

  /**
   * Reads the fixed prices ahead of any request (after a catalog load, then within every cache TTL),
   * so a person's first quote of a service does not wait on its provider. Each is a fresh read: a
   * warmed price ends with the cache's TTL like any other. Dynamic and usage-priced calls depend on
   * the input and are left to the quote itself.
   */
  async function warmFixedPrices(calls: readonly FixedPriceCall[]): Promise<{ warmed: number }> {
    const results = await Promise.all(
      calls.map(async (call) => {
        const request: PriceProbeRequest = { userId: WARMING_USER, service: call.serviceName, request: requestForStep({ ...call, input: {} }), manifestOnly: true };
        return cache.remember(request, await deps.probePrice(request));
      }),
    );
    return { warmed: results.filter(Boolean).length };
  }

  function store(quote: Quote): void {
    repository.insert({
      id: quote.id,
      userId: quote.userId,
      taskId: quote.taskId,
      createdAtMs: quote.createdAt,
      expiresAtMs: quote.expiresAt,
      rateUsdCents: quote.rate.usdCents,
      ratePerMsat: quote.rate.perMsat,
      stepsJson: JSON.stringify(quote.steps),
      totalMsatMin: quote.totalMsatMin,
      totalMsatMax: quote.totalMsatMax,
      totalUsdCentsMin: quote.totalUsdCentsMin,
      totalUsdCentsMax: quote.totalUsdCentsMax,
    });
  }

  function assemble(input: { userId: string; taskId: string; rate: BtcUsdRate; steps: QuoteStep[]; createdAt: number; expiresAt: number }): Quote {
    const totalMsatMin: Msat = sumMsat(input.steps.map((s) => s.priceMsatMin));
    const totalMsatMax: Msat = sumMsat(input.steps.map((s) => s.maxMsat));
    return {
      id: randomUUID(),
      ...input,
      rate: { usdCents: input.rate.usdCents, perMsat: input.rate.perMsat },
      totalMsatMin,
      totalMsatMax,
      totalUsdCentsMin: msatToUsdCentsRoundHalfUp(totalMsatMin, input.rate),
      totalUsdCentsMax: msatToUsdCentsCeil(totalMsatMax, input.rate),
    };
  }

  /**
   * After price drift: a new quote for the steps from `stepId` on, at the old quote's locked rate, the
   * drifting step priced at exactly the invoice's amount (never re-read from the manifest, which is
   * what drifted from), the later steps as they were quoted.
   */
  function requoteDrift(input: { userId: string; quoteId: string; stepId: string; invoiceMsat: Msat }): DriftQuoteResult {
    const row = repository.byId(input.userId, input.quoteId);
    if (!row) return { ok: false, reason: 'not_found' };
    const previous = quoteFromRow(row);
    const index = previous.steps.findIndex((s) => s.stepId === input.stepId);
    const drifting = previous.steps[index];
    if (!drifting) return { ok: false, reason: 'unknown_step' };
    const createdAt = now();
    const expiresAt = createdAt + options.quoteTtlMs;
    const steps = [repriceAtInvoice(drifting, input.invoiceMsat, expiresAt, options.feeAllowance), ...previous.steps.slice(index + 1)];
    const quote = assemble({ userId: input.userId, taskId: previous.taskId, rate: previous.rate, steps, createdAt, expiresAt });
    store(quote);
    return { ok: true, quote };
  }

  async function quotePlan(input: { userId: string; taskId: string; steps: QuoteStepInput[] }): Promise<QuotePlanResult> {
    const parsed = planSchema.safeParse(input);
    if (!parsed.success) return { ok: false, reason: 'invalid_plan', message: `The plan cannot be quoted: ${z.prettifyError(parsed.error)}` };
    const { userId, taskId, steps } = parsed.data;
    const refused = standingRefusal(deps.standing, userId, steps);
    if (refused) return refused;
    const [rate, probes] = await Promise.all([lockableRate(deps.rates), Promise.all(steps.map((step) => probeStep(userId, step)))]);
    if (!rate.ok) return rate;

    const createdAt = now();
    const expiresAt = createdAt + options.quoteTtlMs;
    const priced: QuoteStep[] = [];
    for (const [index, step] of steps.entries()) {
      const probed = probes[index];
      if (!probed) throw new Error('a probe result is missing');
      if (!probed.ok) return probeFailure(step, probed);
      priced.push(priceStep(step, probed, expiresAt, options.feeAllowance));
    }
    const quote = assemble({ userId, taskId, rate: rate.rate, steps: priced, createdAt, expiresAt });
    store(quote);
    return { ok: true, quote };
  }

  return {
    quotePlan,
    requoteDrift,
    warmFixedPrices,
    /** How long a probed price is reused; a warm-up repeated within it keeps fixed prices warm. */
    priceCacheTtlMs: options.priceCacheTtlMs,
    /** The owner's quote, or null (also for another user's quote id). */
    get(userId: string, quoteId: string): Quote | null {
      const row = repository.byId(userId, quoteId);
      return row ? quoteFromRow(row) : null;
    },
    /** True from the quote's expiry on; `nowMs` defaults to the service's clock. */
    isExpired(quote: Pick<Quote, 'expiresAt'>, nowMs: number = now()): boolean {
      return nowMs >= quote.expiresAt;
    },
  };
}

/**
 * The rate to lock into a new quote, or the named refusal when the feed has none fresh enough: a quote
 * is never made at a stale price (the person would approve fiat figures the market no longer gives).
 */
export async function lockableRate(
  rates: ExchangeRatePort,
): Promise<{ ok: true; rate: BtcUsdRate } | { ok: false; reason: 'rate_unavailable'; message: string }> {
  try {
    return { ok: true, rate: await rates.current() };
  } catch (error) {
    if (!(error instanceof RateUnavailableError)) throw error;
    return {
      ok: false,
      reason: 'rate_unavailable',
      message: `Prices cannot be quoted right now: ${error.message}. Nothing was spent; try again in a few minutes.`,
    };
  }
}
