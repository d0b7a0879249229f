import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress } from './address-policy';
import { createGuardedFetch } from './guarded-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function listen(handler: Handler): Promise<{ server: Server; origin: string; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, port };
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    ['::ffff:127.0.0.1', 'ipv4_mapped'],
    ['::ffff:8.8.8.8', 'ipv4_mapped'],
    ['64:ff9b::a00:1', 'ipv4_mapped'],
    ['192.0.2.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['172.32.0.1', 'public'],
    ['example.com', 'not_an_ip'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('guarded fetch', () => {
  let main: Awaited<ReturnType<typeof listen>>;
  let other: Awaited<ReturnType<typeof listen>>;
  const seen: { url: string; method: string; authorization: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    other = await listen((_req, res) => res.end('other origin'));
    main = await listen((req, res, body) => {
      seen.push({ url: req.url ?? '', method: req.method ?? '', authorization: req.headers.authorization, body });
      switch (req.url) {
        case '/ok':
          res.setHeader('www-authenticate', 'L402 macaroon="a", invoice="b"');
          res.statusCode = 402;
          return res.end('{"hello":"world"}');
        case '/same-origin':
          res.writeHead(307, { location: '/ok' });
          return res.end();
        case '/see-other':
          res.writeHead(303, { location: '/ok' });
          return res.end();
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          return res.end();
        case '/cross-origin':
          res.writeHead(302, { location: `${other.origin}/steal` });
          return res.end();
        case '/big-declared':
          res.setHeader('content-length', String(2048));
          return res.end('x'.repeat(2048));
        case '/big-chunked':
          res.write('x'.repeat(1500));
          return res.end('x'.repeat(1500));
        case '/stall':
          return; // never answers
        default:
          res.statusCode = 404;
          return res.end();
      }
    });
  });
  afterAll(async () => {
    main.server.closeAllConnections();
    await new Promise((resolve) => main.server.close(resolve));
    await new Promise((resolve) => other.server.close(resolve));
  });

  const allowed = () => createGuardedFetch({ allowedOrigins: [main.origin, other.origin], maxResponseBytes: 1024, timeoutMs: 1_000 });

  it('refuses loopback by default, naming the address class', async () => {
    const result = await createGuardedFetch()(`${main.origin}/ok`);
    expect(result).toMatchObject({ ok: false, reason: 'blocked_address', addressClass: 'loopback' });
  });

  it('fetches an allow-listed origin and returns status, headers and body', async () => {
    const result = await allowed()(`${main.origin}/ok`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.status).toBe(402);
    expect(result.response.headers.get('www-authenticate')).toBe('L402 macaroon="a", invoice="b"');
    expect(JSON.parse(result.response.text())).toEqual({ hello: 'world' });
  });

  it('refuses other protocols, bad URLs and credentials in the URL', async () => {
    const fetcher = allowed();
    expect(await fetcher('file:///etc/passwd')).toMatchObject({ ok: false, reason: 'unsupported_protocol' });
    expect(await fetcher('ftp://example.com/')).toMatchObject({ ok: false, reason: 'unsupported_protocol' });
    expect(await fetcher('not a url')).toMatchObject({ ok: false, reason: 'invalid_url' });
    expect(await fetcher(`http://user:pw@127.0.0.1:${main.port}/ok`)).toMatchObject({ ok: false, reason: 'credentials_in_url' });
  });

  it('refuses a host when any of its addresses is not public, and reports DNS failure', async () => {
    const mixed = createGuardedFetch({ resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }] });
    expect(await mixed('http://mixed.example/')).toMatchObject({ ok: false, reason: 'blocked_address', addressClass: 'private' });
    const failing = createGuardedFetch({ resolve: async () => Promise.reject(new Error('ENOTFOUND')) });
    expect(await failing('http://nowhere.example/')).toMatchObject({ ok: false, reason: 'dns_failed' });
  });

  it('connects to the address it checked, not to what a resolver says later (pinning)', async () => {
    let calls = 0;
    const origin = `http://market.test:${main.port}`;
    // The first answer is checked and pinned; a rebinding resolver would answer differently next time.
    const fetcher = createGuardedFetch({
      allowedOrigins: [origin],
      resolve: async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]),
    });
    const result = await fetcher(`${origin}/ok`);
    expect(result).toMatchObject({ ok: true, response: { status: 402 } });
    expect(calls).toBe(1); // market.test does not exist in DNS: the socket used the pinned address
  });

  it('bounds the response size, declared or streamed, and the time', async () => {
    const fetcher = allowed();
    expect(await fetcher(`${main.origin}/big-declared`)).toMatchObject({ ok: false, reason: 'response_too_large' });
    expect(await fetcher(`${main.origin}/big-chunked`)).toMatchObject({ ok: false, reason: 'response_too_large' });
    const started = Date.now();
    expect(await createGuardedFetch({ allowedOrigins: [main.origin], timeoutMs: 300 })(`${main.origin}/stall`)).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('takes a tighter per-request timeout, never a looser one', async () => {
    const fetcher = createGuardedFetch({ allowedOrigins: [main.origin], timeoutMs: 60_000 });
    const started = Date.now();
    expect(await fetcher(`${main.origin}/stall`, { timeoutMs: 300 })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
    const tight = createGuardedFetch({ allowedOrigins: [main.origin], timeoutMs: 300 });
    const again = Date.now();
    expect(await tight(`${main.origin}/stall`, { timeoutMs: 60_000 })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - again).toBeLessThan(2_000);
  });

  it('returns redirects as they are by default', async () => {
    expect(await allowed()(`${main.origin}/cross-origin`)).toMatchObject({ ok: true, response: { status: 302 } });
  });

  it('follows same-origin redirects with the same method, body and credentials (307), GET after 303', async () => {
    seen.length = 0;
    const headers = { authorization: 'L402 mac:00' };
    const followed = await allowed()(`${main.origin}/same-origin`, { method: 'POST', body: '{"q":1}', headers, redirect: 'same_origin' });
    expect(followed).toMatchObject({ ok: true, response: { status: 402, url: `${main.origin}/ok` } });
    expect(seen.at(-1)).toEqual({ url: '/ok', method: 'POST', authorization: 'L402 mac:00', body: '{"q":1}' });
    await allowed()(`${main.origin}/see-other`, { method: 'POST', body: 'x', redirect: 'same_origin' });
    expect(seen.at(-1)).toMatchObject({ url: '/ok', method: 'GET', body: '' });
  });

  it('never carries a request across origins, and stops redirect loops', async () => {
    const cross = await allowed()(`${main.origin}/cross-origin`, { headers: { authorization: 'L402 secret:00' }, redirect: 'same_origin' });
    expect(cross).toMatchObject({ ok: false, reason: 'cross_origin_redirect' });
    expect(await allowed()(`${main.origin}/loop`, { redirect: 'same_origin' })).toMatchObject({ ok: false, reason: 'too_many_redirects' });
  });
});
