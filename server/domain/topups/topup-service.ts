/**
 * Card top-ups: create (limits, a locked quote, a Stripe Checkout Session), the webhook (webhook.ts),
 * funding over NWC (funding.ts) with a background retry loop, reversals (reversal.ts), and live views
 * for the return page. The factory wires; the logic lives in those modules.
 */
import { randomBytes } from 'node:crypto';
import { formatSats, type UsdCents } from '../../../shared/money';
import type { TopUpLimits, TopUpQuote, TopUpView } from '../../../shared/topups';
import type { DatabaseHandle } from '../../db/client';
import { createTopUpsRepository } from '../../db/repositories/topups-repository';
import type { TopUpRow } from '../../db/schema/topups';
import { createKeyedMutex } from '../payments';
import type { CardCheckoutPort } from '../ports/card-checkout';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { TopUpEngineDeps } from './deps';
import { advanceFunding, type FundingStep } from './funding';
import { checkTopUpLimits, quoteTopUp, type LimitRefusal } from './quote';
import { settleReversal } from './reversal';
import { parseStripeEvent } from './stripe-events';
import { toTopUpView } from './views';
import { applyStripeEvent, type WebhookOutcome } from './webhook';

/** How long a Checkout Session stays open (Stripe allows 30 minutes to 24 hours). */
const SESSION_LIFETIME_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
const FUNDING_BATCH = 20;

export interface TopUpsOptions extends Omit<TopUpEngineDeps, 'repo' | 'changed' | 'now'> {
  database: Pick<DatabaseHandle, 'db'>;
  rates: ExchangeRatePort;
  /** null when no card processor is configured: top-ups are refused with a named reason. */
  checkout: CardCheckoutPort | null;
  limits: TopUpLimits;
  /** The app's public origin, where Stripe sends the person back. */
  publicUrl: string;
  now?: () => number;
}

export type QuoteRefusal = LimitRefusal | 'rate_unavailable' | 'top_up_too_small_for_rate';
export type CreateTopUpResult =
  | { ok: true; topUp: TopUpView }
  | { ok: false; reason: QuoteRefusal | 'top_ups_unavailable' | 'checkout_unavailable' };
export type WebhookAnswer = { status: 200; outcome: WebhookOutcome } | { status: 400; reason: string };

export type TopUps = ReturnType<typeof createTopUps>;

export function createTopUps(options: TopUpsOptions) {
  const now = options.now ?? Date.now;
  const repo = createTopUpsRepository(options.database.db);
  const watchers = new Map<string, Set<(row: TopUpRow) => void>>();
  const engine: TopUpEngineDeps = { ...options, repo, now, changed: (row) => watchers.get(row.id)?.forEach((w) => w(row)) };
  const inFlight = new Set<Promise<unknown>>();
  const mutex = createKeyedMutex();
  const fund = (topUpId: string): Promise<FundingStep> => {
    const run = mutex.run(topUpId, () => advanceFunding(engine, topUpId));
    inFlight.add(run);
    void run.catch(() => undefined).finally(() => inFlight.delete(run));
    return run;
  };

  async function lockQuote(userId: string, amountUsdCents: UsdCents): Promise<{ ok: true; quote: TopUpQuote } | { ok: false; reason: QuoteRefusal }> {
    const limit = checkTopUpLimits(amountUsdCents, repo.usedUsdCentsSince(userId, now() - DAY_MS, now() - SESSION_LIFETIME_MS), options.limits);
    if (!limit.ok) return limit;
    let rate;
    try {
      rate = await options.rates.current();
    } catch {
      // A stale or unreachable price feed: nothing is locked, the person is told to try again.
      return { ok: false, reason: 'rate_unavailable' };
    }
    return quoteTopUp(amountUsdCents, rate, options.limits.spreadBps);
  }

  async function create(userId: string, amountUsdCents: UsdCents): Promise<CreateTopUpResult> {
    if (!options.checkout) return { ok: false, reason: 'top_ups_unavailable' };
    const quoted = await lockQuote(userId, amountUsdCents);
    if (!quoted.ok) return quoted;
    const row = insertWithinLimits(userId, quoted.quote);
    if (!row.ok) return row;
    const session = await options.checkout.createSession({
      amountUsdCents,
      description: `Steward top-up: ${formatSats(quoted.quote.amountMsat)}`,
      successUrl: `${options.publicUrl}/wallet/top-ups/${row.row.id}`,
      cancelUrl: `${options.publicUrl}/wallet/top-ups/${row.row.id}`,
      metadata: { userId, topUpId: row.row.id },
      idempotencyKey: `topup:${row.row.id}`,
      expiresAtSec: Math.floor((row.row.createdAtMs + SESSION_LIFETIME_MS) / 1000),
    });
    if (!session.ok) {
      repo.update(row.row.id, { status: 'failed', lastError: session.message, updatedAtMs: now() });
      return { ok: false, reason: 'checkout_unavailable' };
    }
    repo.update(row.row.id, { stripeSessionId: session.sessionId, checkoutUrl: session.url, updatedAtMs: now() });
    const stored = repo.byId(row.row.id);
    if (!stored) throw new Error(`top-up ${row.row.id} vanished after its session was created`);
    return { ok: true, topUp: toTopUpView(stored) };
  }

  /** The daily limit is re-checked under the write lock, so two tabs cannot both pass it. */
  function insertWithinLimits(userId: string, quote: TopUpQuote): { ok: true; row: TopUpRow } | { ok: false; reason: LimitRefusal } {
    return options.database.db.transaction(
      () => {
        const used = repo.usedUsdCentsSince(userId, now() - DAY_MS, now() - SESSION_LIFETIME_MS);
        const limit = checkTopUpLimits(quote.amountUsdCents, used, options.limits);
        if (!limit.ok) return limit;
        const id = `tu_${randomBytes(12).toString('base64url')}`;
        repo.insert({
          id,
          userId,
          status: 'created',
          amountUsdCents: quote.amountUsdCents,
          amountMsat: quote.amountMsat,
          rateUsdCents: quote.rate.usdCents,
          ratePerMsat: quote.rate.perMsat,
          spreadBps: quote.spreadBps,
          effectiveCentsPerBtc: quote.effectiveCentsPerBtc,
          createdAtMs: now(),
          updatedAtMs: now(),
        });
        const row = repo.byId(id);
        if (!row) throw new Error(`top-up ${id} was not stored`);
        return { ok: true as const, row };
      },
      { behavior: 'immediate' },
    );
  }

  function receiveWebhook(rawBody: Buffer, signatureHeader: string | undefined): WebhookAnswer {
    if (!options.checkout) return { status: 400, reason: 'top_ups_unavailable' };
    const verified = options.checkout.verifyWebhook(rawBody, signatureHeader);
    if (!verified.ok) return { status: 400, reason: verified.reason };
    const event = parseStripeEvent(verified.event);
    if (!event) return { status: 400, reason: 'not_a_stripe_event' };
    const applied = applyStripeEvent(engine, event);
    if (applied.changed) {
      engine.changed(applied.changed.row);
      if (applied.changed.effect.fund) void fund(applied.changed.row.id).catch(() => undefined);
      if (applied.changed.effect.reverse) settleReversal(engine, applied.changed.row.id);
    }
    return { status: 200, outcome: applied.outcome };
  }

  /** One pass of the background loop: fund what is due, settle what reversals are still open. */
  async function fundingPass(): Promise<void> {
    for (const row of repo.dueForFunding(now(), FUNDING_BATCH)) await fund(row.id);
    for (const row of repo.withUnsettledReversal()) settleReversal(engine, row.id);
  }

  return {
    limits: (): TopUpLimits => options.limits,
    async quote(userId: string, amountUsdCents: UsdCents) {
      return lockQuote(userId, amountUsdCents);
    },
    create,
    get(userId: string, topUpId: string): { ok: true; topUp: TopUpView } | { ok: false; reason: 'not_found' } {
      const row = repo.forUser(userId, topUpId);
      return row ? { ok: true, topUp: toTopUpView(row) } : { ok: false, reason: 'not_found' };
    },
    /** Msat this person owes from reversed top-ups (shown on the Wallet page; spending waits on it). */
    owedMsat: (userId: string): number => repo.owedMsat(userId),
    receiveWebhook,
    fundingPass,
    /** The top-up now and after every change, until `signal` aborts (the return page's subscription). */
    watch: (userId: string, topUpId: string, signal: AbortSignal | undefined) => watchTopUp(repo, watchers, userId, topUpId, signal),
    /** Starts the retry loop; the first pass runs at once (work a crash left behind). */
    start(intervalMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
      let running: Promise<void> = Promise.resolve();
      const tick = () => {
        running = running.then(fundingPass).catch(onError);
      };
      tick();
      const timer = setInterval(tick, intervalMs);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running;
          await Promise.allSettled([...inFlight]);
        },
      };
    },
    /** Resolves when no funding run is in flight (tests). */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

async function* watchTopUp(
  repo: ReturnType<typeof createTopUpsRepository>,
  watchers: Map<string, Set<(row: TopUpRow) => void>>,
  userId: string,
  topUpId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<TopUpView> {
  const first = repo.forUser(userId, topUpId);
  if (!first || signal?.aborted) return;
  const queue: TopUpRow[] = [first];
  let wake: (() => void) | null = null;
  const listener = (row: TopUpRow) => {
    queue.push(row);
    wake?.();
  };
  const set = watchers.get(topUpId) ?? new Set();
  set.add(listener);
  watchers.set(topUpId, set);
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next) yield toTopUpView(next);
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    set.delete(listener);
    if (set.size === 0) watchers.delete(topUpId);
  }
}
