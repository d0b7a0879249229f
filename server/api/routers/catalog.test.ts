import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, DEFAULT_RATE_LIMITS } from '../../http/rate-limits';
import { callerOver, createApiHarness, refusalOf } from '../test-harness';

describe('catalog router', () => {
  const h = createApiHarness();

  it('limits adding providers per person (each try fetches a manifest); another person is not held back', async () => {
    const alice = await h.signUp('alice.providers@example.com');
    const bob = await h.signUp('bob.providers@example.com');
    // The HTTP layer's limiter with the shipped numbers, counted in the harness's database; one address for both.
    const limiter = createRateLimiter(h.services.rateLimits, DEFAULT_RATE_LIMITS)({ ip: '203.0.113.9' } as FastifyRequest);
    const add = (token: string) => refusalOf(callerOver(h.deps, token, limiter).caller.catalog.addProvider({ url: 'https://provider.example' }));

    // Within the limit each try reaches the fetcher (the harness has no network: the provider "did not answer").
    for (let i = 0; i < DEFAULT_RATE_LIMITS.provider_add.max; i++) expect(await add(alice.token)).toEqual({ code: 'BAD_REQUEST', reason: 'fetch_failed' });
    expect(await add(alice.token)).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(await add(bob.token)).toEqual({ code: 'BAD_REQUEST', reason: 'fetch_failed' });
  });
});
