import { TRPCError } from '@trpc/server';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from '../../http/rate-limits';
import { callerOver, createApiHarness } from '../test-harness';

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, reason: (error.cause as { reason?: unknown } | undefined)?.reason, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('topUps router', () => {
  const h = createApiHarness();

  it('quotes before paying, creates a checkout at the locked rate and shows it back to its owner only', async () => {
    const alice = await h.signUp('alice.topup@example.com');
    expect(await alice.as().topUps.limits()).toEqual({ minUsdCents: 100, maxUsdCents: 50_000, perDayUsdCents: 100_000, spreadBps: 300 });
    const quote = await alice.as().topUps.quote({ amountUsdCents: 1_000 });
    const created = await alice.as().topUps.create({ amountUsdCents: 1_000 });
    expect(created).toMatchObject({ status: 'created', amountMsat: quote.amountMsat, effectiveCentsPerBtc: quote.effectiveCentsPerBtc, checkoutUrl: expect.stringMatching(/^https:\/\/checkout\.test\//) });
    expect(await alice.as().topUps.get({ topUpId: created.id })).toEqual(created);
    const bob = await h.signUp('bob.topup@example.com');
    expect(await refusal(bob.as().topUps.get({ topUpId: created.id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses amounts outside the limits with a named reason', async () => {
    const carol = await h.signUp('carol.topup@example.com');
    expect(await refusal(carol.as().topUps.quote({ amountUsdCents: 99 }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'top_up_below_minimum' });
    expect(await refusal(carol.as().topUps.create({ amountUsdCents: 50_001 }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'top_up_above_maximum' });
    await carol.as().topUps.create({ amountUsdCents: 50_000 });
    await carol.as().topUps.create({ amountUsdCents: 40_000 });
    // An open checkout counts against the 24-hour limit: $900 open, $100 more would pass, $100.01 not.
    expect(await refusal(carol.as().topUps.create({ amountUsdCents: 10_001 }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'top_up_daily_limit' });
    await carol.as().topUps.create({ amountUsdCents: 10_000 });
  });

  it('limits the checkouts one person may start (each calls Stripe); past it no session is created, and another person is not held back', async () => {
    const dave = await h.signUp('dave.topup@example.com');
    const erin = await h.signUp('erin.topup@example.com');
    const limiter = createRateLimiter(h.services.rateLimits, DEFAULT_RATE_LIMITS)({ ip: '203.0.113.9' } as FastifyRequest);
    const create = (token: string) => callerOver(h.deps, token, limiter).caller.topUps.create({ amountUsdCents: 100 });
    const sessionNumber = (topUp: { checkoutUrl: string | null }) => Number(/cs_fake_(\d+)$/.exec(topUp.checkoutUrl ?? '')?.[1]);

    let last = await create(dave.token);
    for (let i = 1; i < DEFAULT_RATE_LIMITS.top_up_create.max; i++) last = await create(dave.token);
    expect(await refusal(create(dave.token))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    // Erin's checkout is the very next session Stripe was asked for: the refused call asked for none.
    expect(sessionNumber(await create(erin.token))).toBe(sessionNumber(last) + 1);
  });
});
