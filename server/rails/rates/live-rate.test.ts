import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../../../shared/money';
import { RateUnavailableError } from '../../domain/ports/exchange-rate';
import { createLiveExchangeRate, describeRefreshFailure } from './live-rate';

// One local server plays every kind of price endpoint, by path.
const routes: Record<string, (reply: (status: number, body: string) => void) => void> = {
  '/coinbase': (reply) => reply(200, JSON.stringify({ data: { amount: '97250.51', base: 'BTC', currency: 'USD' } })),
  '/kraken': (reply) =>
    reply(200, JSON.stringify({ error: [], result: { XXBTZUSD: { a: ['1', '1', '1'], c: ['96000.10000', '0.01'] } } })),
  '/coingecko': (reply) => reply(200, JSON.stringify({ bitcoin: { usd: 95000.5 } })),
  // A frozen feed: it answers, but with a price its own timestamp says is an hour old (clock: 10,000 s).
  '/frozen': (reply) => reply(200, JSON.stringify({ bitcoin: { usd: 94000, last_updated_at: 10_000 - 3_600 } })),
  '/garbage': (reply) => reply(200, '<html>maintenance</html>'),
  '/wrong-shape': (reply) => reply(200, JSON.stringify({ price: 'lots' })),
  '/euros': (reply) => reply(200, JSON.stringify({ data: { amount: '90000.00', base: 'BTC', currency: 'EUR' } })),
  '/absurd': (reply) => reply(200, JSON.stringify({ data: { amount: '0.01', base: 'BTC', currency: 'USD' } })),
  '/down': (reply) => reply(503, 'unavailable'),
  '/slow': (reply) => void setTimeout(() => reply(200, JSON.stringify({ bitcoin: { usd: 1_000_000 } })), 2_000),
};

let server: Server;
let base = '';
const url = (path: string) => `${base}${path}`;
const cents = (n: number) => btcUsdRateFromCentsPerBtc(usdCents(n));

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    route((status, body) => {
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function liveRate(urls: string[], clock = { ms: 10_000_000 }, timeoutMs = 1_000) {
  return createLiveExchangeRate({ urls, maxAgeMs: 60_000, refreshMs: 10_000, timeoutMs, now: () => clock.ms });
}

describe('live exchange rate', () => {
  it.each([
    ['/coinbase', 97_250_51],
    ['/kraken', 96_000_10],
    ['/coingecko', 95_000_50],
  ])('reads the price from %s', async (path, expectedCents) => {
    const rate = liveRate([url(path)]);
    const outcome = await rate.refresh();
    expect(outcome.ok).toBe(true);
    expect(await rate.current()).toEqual(cents(expectedCents));
  });

  it('refuses to serve a price before any source answered', async () => {
    const rate = liveRate([url('/down')]);
    await expect(rate.current()).rejects.toMatchObject({ name: 'RateUnavailableError', reason: 'no_rate' });
  });

  it('rejects a price older than the staleness limit, and serves it again after a fresh read', async () => {
    const clock = { ms: 1_000_000 };
    const rate = liveRate([url('/coinbase')], clock);
    await rate.refresh();
    clock.ms += 60_000;
    expect(await rate.current()).toEqual(cents(97_250_51));
    clock.ms += 1;
    const stale = await rate.current().then(
      () => null,
      (error: unknown) => error,
    );
    expect(stale).toBeInstanceOf(RateUnavailableError);
    expect(stale).toMatchObject({ reason: 'stale', ageMs: 60_001 });
    expect((stale as Error).message).toBe('the BTC/USD price ($97,250.51 from ' + new URL(base).host + ') is 60 s old, over the 60 s limit');
    await rate.refresh();
    expect(await rate.current()).toEqual(cents(97_250_51));
  });

  it('falls back to the next source when the primary is down, and names every failure when all are', async () => {
    const rate = liveRate([url('/down'), url('/garbage'), url('/kraken')]);
    const outcome = await rate.refresh();
    expect(outcome.ok && outcome.reading.url).toBe(url('/kraken'));
    expect(await rate.current()).toEqual(cents(96_000_10));

    const failing = await liveRate([url('/down'), url('/garbage'), url('/wrong-shape'), url('/euros'), url('/absurd')]).refresh();
    expect(failing.ok).toBe(false);
    if (failing.ok) return;
    expect(failing.failures.map((f) => f.reason)).toEqual(['http_error', 'not_json', 'unknown_shape', 'unknown_shape', 'implausible_price']);
    expect(describeRefreshFailure(failing)).toContain(`${url('/down')}: http_error (HTTP 503)`);
  });

  it('measures age by the source\'s own timestamp: a frozen feed is stale at once, and a fresh fallback wins', async () => {
    const frozen = liveRate([url('/frozen')]);
    const outcome = await frozen.refresh();
    expect(!outcome.ok && outcome.failures).toEqual([{ url: url('/frozen'), reason: 'stale', detail: 'priced 3600 s ago' }]);
    await expect(frozen.current()).rejects.toMatchObject({ reason: 'stale', ageMs: 3_600_000 });

    const withFallback = liveRate([url('/frozen'), url('/coinbase')]);
    expect((await withFallback.refresh()).ok).toBe(true);
    expect(await withFallback.current()).toEqual(cents(97_250_51));
  });

  it('keeps the last good price when a refresh fails, until it goes stale', async () => {
    const clock = { ms: 1_000_000 };
    let path = '/coingecko';
    const rate = createLiveExchangeRate({
      urls: [url('/switch')],
      maxAgeMs: 60_000,
      refreshMs: 10_000,
      timeoutMs: 1_000,
      now: () => clock.ms,
      fetch: (_input, init) => fetch(url(path), init),
    });
    await rate.refresh();
    path = '/garbage';
    clock.ms += 30_000;
    expect((await rate.refresh()).ok).toBe(false);
    expect(await rate.current()).toEqual(cents(95_000_50));
    clock.ms += 30_001;
    await expect(rate.current()).rejects.toMatchObject({ reason: 'stale' });
  });

  it('abandons a slow endpoint after its timeout and takes the fallback', async () => {
    const rate = liveRate([url('/slow'), url('/coinbase')], { ms: 0 }, 200);
    const started = Date.now();
    const outcome = await rate.refresh();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(outcome.ok && outcome.reading.url).toBe(url('/coinbase'));
    expect(await rate.current()).toEqual(cents(97_250_51));

    const onlySlow = await liveRate([url('/slow')], { ms: 0 }, 200).refresh();
    expect(!onlySlow.ok && onlySlow.failures[0]?.reason).toBe('timeout');
  });

  it('shares one round between concurrent refreshes', async () => {
    let calls = 0;
    const rate = createLiveExchangeRate({
      urls: [url('/coinbase')],
      maxAgeMs: 60_000,
      refreshMs: 10_000,
      timeoutMs: 1_000,
      fetch: (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    await Promise.all([rate.refresh(), rate.refresh(), rate.refresh()]);
    expect(calls).toBe(1);
  });
});
