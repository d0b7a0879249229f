/**
 * Creating a top-up: the limits, the rate locked with the spread, the row written under the write lock
 * (so two tabs cannot both pass the daily limit), then the Checkout Session keyed by the top-up's id.
 */
import { randomBytes } from 'node:crypto';
import { formatSats, type UsdCents } from '../../../shared/money';
import type { TopUpLimits, TopUpQuote, TopUpView } from '../../../shared/topups';
import type { DatabaseHandle } from '../../db/client';
import type { TopUpsRepository } from '../../db/repositories/topups-repository';
import type { TopUpRow } from '../../db/schema/topups';
import type { CardCheckoutPort } from '../ports/card-checkout';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import { checkTopUpLimits, quoteTopUp, type LimitRefusal } from './quote';
import { toTopUpView } from './views';

/** How long a Checkout Session stays open (Stripe allows 30 minutes to 24 hours). */
export const SESSION_LIFETIME_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

export interface CreateTopUpDeps {
  database: Pick<DatabaseHandle, 'db'>;
  repo: TopUpsRepository;
  rates: ExchangeRatePort;
  checkout: CardCheckoutPort | null;
  limits: TopUpLimits;
  publicUrl: string;
  now: () => number;
}

export type QuoteRefusal = LimitRefusal | 'rate_unavailable' | 'top_up_too_small_for_rate';
export type QuoteResult = { ok: true; quote: TopUpQuote } | { ok: false; reason: QuoteRefusal };
export type CreateTopUpResult =
  | { ok: true; topUp: TopUpView }
  | { ok: false; reason: QuoteRefusal | 'top_ups_unavailable' | 'checkout_unavailable' };

const usedToday = (deps: CreateTopUpDeps, userId: string) =>
  deps.repo.usedUsdCentsSince(userId, deps.now() - DAY_MS, deps.now() - SESSION_LIFETIME_MS);

export async function lockQuote(deps: CreateTopUpDeps, userId: string, amountUsdCents: UsdCents): Promise<QuoteResult> {
  const limit = checkTopUpLimits(amountUsdCents, usedToday(deps, userId), deps.limits);
  if (!limit.ok) return limit;
  let rate;
  try {
    rate = await deps.rates.current();
  } catch {
    // A stale or unreachable price feed: nothing is locked, the person is told to try again.
    return { ok: false, reason: 'rate_unavailable' };
  }
  return quoteTopUp(amountUsdCents, rate, deps.limits.spreadBps);
}

export async function createTopUp(deps: CreateTopUpDeps, userId: string, amountUsdCents: UsdCents): Promise<CreateTopUpResult> {
  if (!deps.checkout) return { ok: false, reason: 'top_ups_unavailable' };
  const quoted = await lockQuote(deps, userId, amountUsdCents);
  if (!quoted.ok) return quoted;
  const inserted = insertWithinLimits(deps, userId, quoted.quote);
  if (!inserted.ok) return inserted;
  const { row } = inserted;
  const returnUrl = `${deps.publicUrl}/wallet/top-ups/${row.id}`;
  const session = await deps.checkout.createSession({
    amountUsdCents,
    description: `Steward top-up: ${formatSats(quoted.quote.amountMsat)}`,
    successUrl: returnUrl,
    cancelUrl: returnUrl,
    metadata: { userId, topUpId: row.id },
    idempotencyKey: `topup:${row.id}`,
    expiresAtSec: Math.floor((row.createdAtMs + SESSION_LIFETIME_MS) / 1000),
  });
  if (!session.ok) {
    deps.repo.update(row.id, { status: 'failed', lastError: session.message, updatedAtMs: deps.now() });
    return { ok: false, reason: 'checkout_unavailable' };
  }
  deps.repo.update(row.id, { stripeSessionId: session.sessionId, checkoutUrl: session.url, updatedAtMs: deps.now() });
  const stored = deps.repo.byId(row.id);
  if (!stored) throw new Error(`top-up ${row.id} vanished after its session was created`);
  return { ok: true, topUp: toTopUpView(stored) };
}

function insertWithinLimits(deps: CreateTopUpDeps, userId: string, quote: TopUpQuote): { ok: true; row: TopUpRow } | { ok: false; reason: LimitRefusal } {
  return deps.database.db.transaction(
    () => {
      const limit = checkTopUpLimits(quote.amountUsdCents, usedToday(deps, userId), deps.limits);
      if (!limit.ok) return limit;
      const id = `tu_${randomBytes(12).toString('base64url')}`;
      deps.repo.insert({
        id,
        userId,
        status: 'created',
        amountUsdCents: quote.amountUsdCents,
        amountMsat: quote.amountMsat,
        rateUsdCents: quote.rate.usdCents,
        ratePerMsat: quote.rate.perMsat,
        spreadBps: quote.spreadBps,
        effectiveCentsPerBtc: quote.effectiveCentsPerBtc,
        createdAtMs: deps.now(),
        updatedAtMs: deps.now(),
      });
      const row = deps.repo.byId(id);
      if (!row) throw new Error(`top-up ${id} was not stored`);
      return { ok: true as const, row };
    },
    { behavior: 'immediate' },
  );
}
