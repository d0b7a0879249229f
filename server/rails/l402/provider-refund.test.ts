import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderRefundRequest } from '../../../shared/provider-refunds';
import { createGuardedFetch } from '../http/guarded-fetch';
import type { L402FetchResult } from './fetcher';
import { askProviderRefund, refundEndpointUrl } from './provider-refund';

const REQUEST: ProviderRefundRequest = {
  version: 1,
  payment_hash: 'a'.repeat(64),
  preimage: 'b'.repeat(64),
  macaroon_id: `0000${'a'.repeat(64)}`,
  amount_msat: 2_001,
  reason: 'not_delivered: server_error',
  return_invoice: 'lnbcrt1return',
  dispute_id: 'd-1',
};

const answering = (status: number, text: string) => async (): Promise<L402FetchResult> => ({ ok: true, response: { status, headers: new Headers(), url: 'http://p/refund', text: () => text } });

describe('asking a provider for a refund', () => {
  it('posts the request with the short timeout, and reads a refund or a refusal', async () => {
    const seen: { body?: string; timeoutMs?: number; method?: string }[] = [];
    const fetcher = async (_url: string, request?: { body?: string; timeoutMs?: number; method?: string }): Promise<L402FetchResult> => {
      seen.push(request ?? {});
      return answering(200, '{"status":"refunded"}')();
    };
    expect(await askProviderRefund(fetcher, 'http://p/refund', REQUEST, 1_500)).toEqual({ kind: 'refunded' });
    expect(seen[0]).toMatchObject({ method: 'POST', timeoutMs: 1_500 });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(REQUEST);
    expect(await askProviderRefund(answering(403, '{"status":"refused","reason":"no refunds"}'), 'http://p/refund', REQUEST, 1_000)).toEqual({ kind: 'refused', reason: 'no refunds' });
  });

  it('counts a timeout, garbage, or "refunded" on an error status as no answer', async () => {
    const timedOut = async (): Promise<L402FetchResult> => ({ ok: false, reason: 'timeout', detail: 'no response within 1000 ms' });
    expect(await askProviderRefund(timedOut, 'http://p/refund', REQUEST, 1_000)).toMatchObject({ kind: 'no_answer', detail: expect.stringContaining('timeout') });
    expect((await askProviderRefund(answering(200, '{"status":"refunded!!"'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
    expect((await askProviderRefund(answering(200, '{"status":"maybe"}'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
    expect((await askProviderRefund(answering(500, '{"status":"refunded"}'), 'http://p/refund', REQUEST, 1_000)).kind).toBe('no_answer');
  });

  it('resolves the endpoint on the provider origin only', () => {
    expect(refundEndpointUrl('http://127.0.0.1:4021', '/l402/refund/x')).toBe('http://127.0.0.1:4021/l402/refund/x');
    expect(refundEndpointUrl('http://127.0.0.1:4021', '//elsewhere.example/refund')).toBeNull();
    expect(refundEndpointUrl('http://127.0.0.1:4021', undefined)).toBeNull();
    // A backslash is a slash to URL parsers: '/\\host' is another origin too.
    expect(refundEndpointUrl('http://127.0.0.1:4021', '/\\elsewhere.example/refund')).toBeNull();
    expect(refundEndpointUrl('http://127.0.0.1:4021', '//user@127.0.0.1:4021/refund')).toBeNull();
    // A path no URL parser accepts is no endpoint (the treasury refunds), not an exception in the refund loop.
    expect(refundEndpointUrl('http://127.0.0.1:4021', '//[not-a-host')).toBeNull();
  });
});

describe('asking a provider for a refund through the SSRF guard', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  /** A local server answering with `handler`; counts the requests it got. */
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ origin: string; hits: () => number }> {
    let hits = 0;
    const server = createServer((req, res) => {
      hits++;
      handler?.(req, res);
    });
    servers.push(server);
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
  }

  const refunded = (_req: unknown, res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"refunded"}');

  it('never calls an endpoint on a private address that is not a configured provider', async () => {
    const inside = await serve(refunded);
    const reply = await askProviderRefund(createGuardedFetch(), `${inside.origin}/refund`, REQUEST, 2_000);
    expect(reply).toMatchObject({ kind: 'no_answer', detail: expect.stringContaining('blocked_address') });
    expect(inside.hits()).toBe(0);
  });

  it('does not follow a redirect, not even to the same origin', async () => {
    const inside = await serve(refunded);
    const provider = await serve((_req, res) => res.writeHead(307, { location: `${inside.origin}/refund` }).end());
    const fetcher = createGuardedFetch({ allowedOrigins: [provider.origin, inside.origin] });
    expect((await askProviderRefund(fetcher, `${provider.origin}/refund`, REQUEST, 2_000)).kind).toBe('no_answer');
    expect(inside.hits()).toBe(0);
  });

  it('gives up on an answer that drips in past the timeout, headers sent or not', async () => {
    const timers: NodeJS.Timeout[] = [];
    const provider = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
      timers.push(setInterval(() => res.write(' '), 100));
    });
    const startedAt = Date.now();
    try {
      const reply = await askProviderRefund(createGuardedFetch({ allowedOrigins: [provider.origin] }), `${provider.origin}/refund`, REQUEST, 800);
      expect(reply.kind).toBe('no_answer');
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  });

  it('cuts off a huge answer and counts it as no answer', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    const provider = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":"refunded"');
      const more = () => {
        // Up to 64 MiB of padding, unless the client hangs up first.
        while (written < 64 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end('}');
      };
      more();
    });
    const reply = await askProviderRefund(createGuardedFetch({ allowedOrigins: [provider.origin] }), `${provider.origin}/refund`, REQUEST, 5_000);
    expect(reply).toMatchObject({ kind: 'no_answer', detail: expect.stringContaining('response_too_large') });
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });
});
