import { afterEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { RateUnavailableError } from '../ports/exchange-rate';
import { createQuoteService } from './quote-service';
import { planStep, scriptedProbe, testStanding, TEST_RATE as SANDBOX_TEST_RATE } from './test-support';

const handles: DatabaseHandle[] = [];
afterEach(() => handles.splice(0).forEach((h) => h.close()));

function setup(table: Parameters<typeof scriptedProbe>[0], options: { priceCacheTtlMs?: number; quoteTtlMs?: number } = {}) {
  const handle = openDatabase(':memory:');
  handles.push(handle);
  const clock = { ms: Date.UTC(2026, 0, 15, 12) };
  const probe = scriptedProbe(table);
  const standing = testStanding();
  const quotes = createQuoteService({
    db: handle.db,
    standing,
    probePrice: probe.probePrice,
    rates: { current: async () => SANDBOX_TEST_RATE },
    now: () => clock.ms,
    options,
  });
  return { quotes, probe, clock, standing };
}

describe('quotePlan', () => {
  it('refuses by name, and stores nothing, when the rate feed has no fresh price', async () => {
    const handle = openDatabase(':memory:');
    handles.push(handle);
    const probe = scriptedProbe({ joke: { priceMsat: 5_000 } });
    const stale = new RateUnavailableError('stale', 900_000, 'the BTC/USD price ($97,000.00 from example.com) is 900 s old, over the 300 s limit');
    const quotes = createQuoteService({ db: handle.db, standing: testStanding(), probePrice: probe.probePrice, rates: { current: () => Promise.reject(stale) } });
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke')] });
    expect(result).toEqual({
      ok: false,
      reason: 'rate_unavailable',
      message:
        'Prices cannot be quoted right now: the BTC/USD price ($97,000.00 from example.com) is 900 s old, over the 300 s limit. ' +
        'Nothing was spent; try again in a few minutes.',
    });
    expect(handle.sqlite.prepare('SELECT COUNT(*) AS n FROM quotes').get()).toEqual({ n: 0 });
  });

  it('lets any other failure of the rate source through (a bug is not a refusal)', async () => {
    const handle = openDatabase(':memory:');
    handles.push(handle);
    const probe = scriptedProbe({ joke: { priceMsat: 5_000 } });
    const quotes = createQuoteService({ db: handle.db, standing: testStanding(), probePrice: probe.probePrice, rates: { current: () => Promise.reject(new TypeError('bug')) } });
    await expect(quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke')] })).rejects.toThrow('bug');
  });

  it('prices every step with a fee allowance, totals the range at the locked rate, and stores the quote', async () => {
    const { quotes } = setup({ joke: { priceMsat: 5_000 }, translate: { priceMsat: 120_000, quotedMsat: 100_000 } });
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke'), planStep('s2', 'translate')] });
    if (!result.ok) throw new Error(result.message);
    const { quote } = result;
    expect(quote.steps).toEqual([
      expect.objectContaining({ stepId: 's1', priceMsatMin: 5_000, priceMsatMax: 5_000, feeAllowanceMsat: 10_000, maxMsat: 15_000, source: 'manifest' }),
      // The quote endpoint said 100 sats, its invoice asks 120: the range spans both, fees on the max (1%).
      expect.objectContaining({ stepId: 's2', priceMsatMin: 100_000, priceMsatMax: 120_000, feeAllowanceMsat: 10_000, maxMsat: 130_000, source: 'quote_endpoint' }),
    ]);
    expect(quote.totalMsatMin).toBe(105_000);
    expect(quote.totalMsatMax).toBe(145_000);
    // $100,000/BTC: 1 sat = 0.1 cent. 105 sats = 10.5 -> 11 cents (half up); 145 sats = 14.5 -> 15 (ceil).
    expect([quote.totalUsdCentsMin, quote.totalUsdCentsMax]).toEqual([11, 15]);
    expect(quote.rate).toEqual(SANDBOX_TEST_RATE);
    expect(quote.expiresAt - quote.createdAt).toBe(15 * 60_000);
    expect(quotes.get('u1', quote.id)).toEqual(quote);
    expect(quotes.get('someone-else', quote.id)).toBeNull();
  });

  it('never quotes (or probes) a provider the person blocked, nor a paused service, and says which step and why', async () => {
    const { quotes, probe, standing } = setup({ joke: { priceMsat: 5_000 }, weather: { priceMsat: 50_000 } });
    const steps = [planStep('s1', 'joke'), planStep('s2', 'weather')];
    standing.paused.add('market/weather');
    const paused = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps });
    expect(paused).toMatchObject({ ok: false, reason: 'service_paused', stepId: 's2' });
    standing.blocked.add('u1|market');
    const blocked = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps });
    expect(blocked).toMatchObject({ ok: false, reason: 'provider_blocked', stepId: 's1', message: expect.stringContaining('You blocked Demo market') });
    expect(probe.calls).toHaveLength(0);
    // Someone else is quoted as before.
    standing.paused.clear();
    expect((await quotes.quotePlan({ userId: 'u2', taskId: 't2', steps })).ok).toBe(true);
  });

  it('probes the steps in parallel: the total time is close to the slowest probe, not the sum', async () => {
    const { quotes, probe } = setup({
      a: { priceMsat: 1_000, delayMs: 300 },
      b: { priceMsat: 1_000, delayMs: 300 },
      c: { priceMsat: 1_000, delayMs: 300 },
      d: { priceMsat: 1_000, delayMs: 300 },
    });
    const started = performance.now();
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: ['a', 'b', 'c', 'd'].map((s) => planStep(s, s)) });
    const elapsedMs = performance.now() - started;
    expect(result.ok).toBe(true);
    expect(probe.calls).toHaveLength(4);
    // Sequential would take 1,200 ms.
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(600);
  });

  it('reuses a cached price within the TTL and probes again after it (injected clock)', async () => {
    const { quotes, probe, clock } = setup({ joke: { priceMsat: 5_000 } }, { priceCacheTtlMs: 60_000 });
    const plan = { userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke', { topic: 'cats' })] };
    await quotes.quotePlan(plan);
    clock.ms += 59_000;
    probe.table.joke = { priceMsat: 7_000 };
    const cached = await quotes.quotePlan(plan);
    expect(probe.calls).toHaveLength(1);
    expect(cached.ok && cached.quote.steps[0]?.priceMsatMax).toBe(5_000);
    clock.ms += 1_000;
    const fresh = await quotes.quotePlan(plan);
    expect(probe.calls).toHaveLength(2);
    expect(fresh.ok && fresh.quote.steps[0]?.priceMsatMax).toBe(7_000);
    // A manifest price does not depend on the input; an invoice's does: another input is probed again.
    await quotes.quotePlan({ ...plan, steps: [planStep('s1', 'joke', { topic: 'dogs' })] });
    expect(probe.calls).toHaveLength(2);
    probe.table.translate = { priceMsat: 9_000, quotedMsat: 9_000 };
    await quotes.quotePlan({ ...plan, steps: [planStep('s1', 'translate', { text: 'a' })] });
    await quotes.quotePlan({ ...plan, steps: [planStep('s1', 'translate', { text: 'b' })] });
    expect(probe.calls).toHaveLength(4);
  });

  it('serves warmed fixed prices to every person and input within the TTL, and probes again after it', async () => {
    const { quotes, probe, clock } = setup({ joke: { priceMsat: 5_000 }, translate: { priceMsat: 9_000, quotedMsat: 9_000 } }, { priceCacheTtlMs: 60_000 });
    const call = (serviceName: string) => ({ serviceName, origin: 'http://127.0.0.1:9', method: 'GET' as const, path: `/api/${serviceName}` });
    // A quote-endpoint price is an invoice for one request, not a price for everybody: not kept.
    expect(await quotes.warmFixedPrices([call('joke'), call('translate')])).toEqual({ warmed: 1 });
    expect(probe.calls.map((c) => c.manifestOnly)).toEqual([true, true]);
    await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke', { topic: 'cats' })] });
    await quotes.quotePlan({ userId: 'u2', taskId: 't2', steps: [planStep('s1', 'joke')] });
    expect(probe.calls).toHaveLength(2);
    await quotes.quotePlan({ userId: 'u1', taskId: 't3', steps: [planStep('s1', 'translate', { text: 'a' })] });
    expect(probe.calls).toHaveLength(3);
    // Never a stale price: past the TTL the warmed price is gone and the quote asks again.
    clock.ms += 60_000;
    probe.table.joke = { priceMsat: 6_000 };
    const later = await quotes.quotePlan({ userId: 'u1', taskId: 't4', steps: [planStep('s1', 'joke')] });
    expect(probe.calls).toHaveLength(4);
    expect(later.ok && later.quote.steps[0]?.priceMsatMax).toBe(6_000);
  });

  it('never serves a firm price past its own expiry, even within the cache TTL', async () => {
    const handle = openDatabase(':memory:');
    handles.push(handle);
    const clock = { ms: Date.UTC(2026, 0, 15, 12) };
    let calls = 0;
    const quotes = createQuoteService({
      db: handle.db,
      standing: testStanding(),
      probePrice: async () => {
        calls += 1;
        return { ok: true, source: 'challenge', priceMsat: msat(9_000), quotedMsat: null, advisory: false, expiresAtMs: clock.ms + 10_000, paymentHashHex: 'ab'.repeat(32) };
      },
      rates: { current: async () => SANDBOX_TEST_RATE },
      now: () => clock.ms,
      options: { priceCacheTtlMs: 60_000 },
    });
    const plan = { userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke')] };
    const first = await quotes.quotePlan(plan);
    expect(first.ok && first.quote.steps[0]).toMatchObject({ source: 'challenge', expiresAt: clock.ms + 10_000 });
    clock.ms += 9_999;
    await quotes.quotePlan(plan);
    expect(calls).toBe(1);
    clock.ms += 1;
    await quotes.quotePlan(plan);
    expect(calls).toBe(2);
  });

  it('shares one probe between identical steps of one plan', async () => {
    const { quotes, probe } = setup({ joke: { priceMsat: 5_000, delayMs: 20 } });
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke'), planStep('s2', 'joke')] });
    expect(result.ok && result.quote.totalMsatMax).toBe(30_000);
    expect(probe.calls).toHaveLength(1);
  });

  it('expires: isExpired turns true at expiresAt', async () => {
    const { quotes, clock } = setup({ joke: { priceMsat: 5_000 } }, { quoteTtlMs: 10_000 });
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke')] });
    if (!result.ok) throw new Error(result.message);
    expect(quotes.isExpired(result.quote)).toBe(false);
    clock.ms += 9_999;
    expect(quotes.isExpired(result.quote)).toBe(false);
    clock.ms += 1;
    expect(quotes.isExpired(result.quote)).toBe(true);
  });

  it('names the step whose probe failed, stores nothing, and does not cache the failure', async () => {
    const { quotes, probe } = setup({ joke: { priceMsat: 5_000 }, broken: { priceMsat: 1, fail: 'status 500' } });
    const result = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke'), planStep('s2', 'broken')] });
    expect(result).toEqual({ ok: false, reason: 'probe_failed', stepId: 's2', message: expect.stringContaining('status 500') });
    await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s2', 'broken')] });
    expect(probe.calls.filter((c) => c.service === 'broken')).toHaveLength(2);
  });

  it('refuses a malformed plan as a named value', async () => {
    const { quotes } = setup({ joke: { priceMsat: 5_000 } });
    expect(await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [] })).toMatchObject({ ok: false, reason: 'invalid_plan' });
    const dup = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'joke'), planStep('s1', 'joke')] });
    expect(dup).toMatchObject({ ok: false, reason: 'invalid_plan' });
  });

  it('charges no fee allowance on a free step', async () => {
    const handle = openDatabase(':memory:');
    handles.push(handle);
    const free = createQuoteService({
      db: handle.db,
      standing: testStanding(),
      probePrice: async () => ({ ok: true, source: 'free', priceMsat: msat(0), advisory: false, expiresAtMs: null }),
      rates: { current: async () => SANDBOX_TEST_RATE },
    });
    const result = await free.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'free')] });
    expect(result.ok && result.quote.steps[0]).toMatchObject({ source: 'free', maxMsat: 0, feeAllowanceMsat: 0 });
  });
});

describe('requoteDrift', () => {
  it('re-prices the drifting step at exactly the invoice (never the manifest again), keeps its call and the later steps, at the locked rate', async () => {
    const { quotes, probe, clock } = setup({ joke: { priceMsat: 5_000 }, weather: { priceMsat: 50_000 } });
    const key = `02${'ab'.repeat(32)}`;
    const first = await quotes.quotePlan({ userId: 'u1', taskId: 't1', steps: [planStep('s1', 'weather', { city: 'Paris' }), { ...planStep('s2', 'joke'), payeePubkeyHex: key }] });
    if (!first.ok) throw new Error(first.message);
    expect(first.quote.steps[1]?.call).toEqual({ providerId: 'market', origin: 'http://127.0.0.1:9', method: 'GET', path: '/api/joke', input: {}, payeePubkeyHex: key, chained: null, outputSchema: null });
    clock.ms += 60_000;
    const calls = probe.calls.length;
    const drift = quotes.requoteDrift({ userId: 'u1', quoteId: first.quote.id, stepId: 's1', invoiceMsat: msat(80_000) });
    if (!drift.ok) throw new Error(drift.reason);
    expect(probe.calls).toHaveLength(calls);
    expect(drift.quote.steps.map((s) => [s.stepId, s.priceMsatMin, s.priceMsatMax, s.maxMsat])).toEqual([
      ['s1', 80_000, 80_000, 90_000],
      ['s2', 5_000, 5_000, 15_000],
    ]);
    expect(drift.quote.steps[0]?.call).toEqual(first.quote.steps[0]?.call);
    expect(drift.quote).toMatchObject({ taskId: 't1', rate: first.quote.rate, totalMsatMax: 105_000, expiresAt: clock.ms + 15 * 60_000 });
    expect(quotes.get('u1', drift.quote.id)).toEqual(drift.quote);
    expect(quotes.requoteDrift({ userId: 'u2', quoteId: first.quote.id, stepId: 's1', invoiceMsat: msat(80_000) })).toEqual({ ok: false, reason: 'not_found' });
    expect(quotes.requoteDrift({ userId: 'u1', quoteId: first.quote.id, stepId: 's9', invoiceMsat: msat(80_000) })).toEqual({ ok: false, reason: 'unknown_step' });
  });
});
