/**
 * Card top-ups: create (limits, a locked quote, a Stripe Checkout Session), the webhook (webhook.ts),
 * funding over NWC (funding.ts) with a background retry loop, reversals (reversal.ts), and live views
 * for the return page. The factory wires; the logic lives in those modules.
 */
import type { UsdCents } from '../../../shared/money';
import type { TopUpLimits, TopUpView } from '../../../shared/topups';
import type { DatabaseHandle } from '../../db/client';
import { createTopUpsRepository } from '../../db/repositories/topups-repository';
import type { Leases } from '../background';
import { createRetryLoop } from '../payments';
import type { CardCheckoutPort } from '../ports/card-checkout';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import { createLocalLiveBus, type LiveBus } from '../ports/live-bus';
import { createTopUp, lockQuote, type CreateTopUpDeps } from './create-topup';
import type { TopUpEngineDeps } from './deps';
import { advanceFunding, type FundingStep } from './funding';
import { settleReversal } from './reversal';
import { parseStripeEvent } from './stripe-events';
import { toTopUpView } from './views';
import { watchTopUp } from './watch';
import { applyStripeEvent, type WebhookOutcome } from './webhook';

const FUNDING_BATCH = 20;

export interface TopUpsOptions extends Omit<TopUpEngineDeps, 'repo' | 'changed' | 'now'> {
  database: Pick<DatabaseHandle, 'db'>;
  rates: ExchangeRatePort;
  /** null when no card processor is configured: top-ups are refused with a named reason. */
  checkout: CardCheckoutPort | null;
  limits: TopUpLimits;
  /** The app's public origin, where Stripe sends the person back. */
  publicUrl: string;
  /** Where changes are told (compose's one bus, shared with other instances); default: this process only. */
  liveBus?: LiveBus;
  /** This instance's leases: a top-up is funded by one instance at a time. */
  leases: Pick<Leases, 'withLease'>;
  now?: () => number;
}

export type { CreateTopUpResult, QuoteRefusal } from './create-topup';
export type WebhookAnswer = { status: 200; outcome: WebhookOutcome } | { status: 400; reason: string };

export type TopUps = ReturnType<typeof createTopUps>;

export function createTopUps(options: TopUpsOptions) {
  const now = options.now ?? Date.now;
  const repo = createTopUpsRepository(options.database.db);
  const bus = options.liveBus ?? createLocalLiveBus();
  const engine: TopUpEngineDeps = { ...options, repo, now, changed: (row) => bus.publish({ kind: 'top_up', userId: row.userId, id: row.id }) };
  const creating: CreateTopUpDeps = { ...options, repo, now };
  const loop = createRetryLoop<FundingStep>('fund_top_up', options.leases, (id, held) => advanceFunding(engine, id, held));
  const fund = (topUpId: string): Promise<FundingStep | 'leased_elsewhere'> => loop.attempt(topUpId);

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
    quote: (userId: string, amountUsdCents: UsdCents) => lockQuote(creating, userId, amountUsdCents),
    create: (userId: string, amountUsdCents: UsdCents) => createTopUp(creating, userId, amountUsdCents),
    get(userId: string, topUpId: string): { ok: true; topUp: TopUpView } | { ok: false; reason: 'not_found' } {
      const row = repo.forUser(userId, topUpId);
      return row ? { ok: true, topUp: toTopUpView(row) } : { ok: false, reason: 'not_found' };
    },
    /** Msat this person owes from reversed top-ups (shown on the Wallet page; spending waits on it). */
    owedMsat: (userId: string): number => repo.owedMsat(userId),
    receiveWebhook,
    fundingPass,
    /** The top-up now and after every change, until `signal` aborts (the return page's subscription). */
    watch: (userId: string, topUpId: string, signal: AbortSignal | undefined) => watchTopUp(repo, bus, userId, topUpId, signal),
    /** Starts the retry loop; the first pass runs at once (work a crash left behind). */
    start: (intervalMs: number, onError: (error: unknown) => void) => loop.start(intervalMs, fundingPass, onError),
    /** Resolves when no funding run is in flight (tests). */
    idle: () => loop.idle(),
  };
}
