// Keep-alive pooling in the guarded fetch must never weaken pinning: a pooled socket is reused only
// for a request pinned to the address it is connected to. Real servers on 127.0.0.1 and 127.0.0.2
// (the same port), a scripted resolver standing in for a rebinding DNS.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, type ResolvedAddress } from './guarded-fetch';
import { createPinnedAgents, destinationKey } from './pinned-agents';

interface Seen {
  server: string;
  socket: number;
  method: string;
}

async function listen(host: string, port: number, handler: (req: IncomingMessage, res: ServerResponse, socketId: number) => void): Promise<Server> {
  const sockets = new Map<Socket, number>();
  const server = createServer((req, res) => {
    let id = sockets.get(req.socket);
    if (id === undefined) {
      id = sockets.size + 1;
      sockets.set(req.socket, id);
    }
    const socketId = id;
    req.resume();
    req.on('end', () => handler(req, res, socketId));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

describe('guarded fetch connection pooling', () => {
  const seen: Seen[] = [];
  let first: Server;
  let second: Server;
  let port: number;
  /** Requests on a socket that already served one are dropped without an answer while this is set. */
  let dropReused = false;
  const served = new Set<string>();

  beforeAll(async () => {
    const handler = (name: string) => (req: IncomingMessage, res: ServerResponse, socket: number) => {
      const socketKey = `${name}:${socket}`;
      if (dropReused && served.has(socketKey)) {
        req.socket.destroy(); // as a server that closed the idle connection just as it was reused
        return;
      }
      served.add(socketKey);
      seen.push({ server: name, socket, method: req.method ?? '' });
      res.end(name);
    };
    first = await listen('127.0.0.1', 0, handler('first'));
    port = (first.address() as AddressInfo).port;
    second = await listen('127.0.0.2', port, handler('second'));
  });
  afterAll(async () => {
    for (const server of [first, second]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const resolverOf = (answers: string[]) => {
    let call = 0;
    return async (): Promise<ResolvedAddress[]> => [{ address: answers[Math.min(call++, answers.length - 1)] ?? '', family: 4 }];
  };

  it('reuses one connection for requests to the same pinned address', async () => {
    seen.length = 0;
    const origin = `http://market.test:${port}`;
    const fetcher = createGuardedFetch({ allowedOrigins: [origin], resolve: resolverOf(['127.0.0.1']) });
    try {
      for (let i = 0; i < 3; i++) expect(await fetcher(`${origin}/x`)).toMatchObject({ ok: true, response: { status: 200 } });
      expect(seen.map((s) => s.server)).toEqual(['first', 'first', 'first']);
      expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    } finally {
      fetcher.close();
    }
  });

  it('never carries a request over a pooled socket to another address: a rebinding host gets its own connection', async () => {
    seen.length = 0;
    const origin = `http://rebind.test:${port}`;
    // The host answers 127.0.0.1, then 127.0.0.2, then 127.0.0.1 again; each request is pinned to its answer.
    const fetcher = createGuardedFetch({ allowedOrigins: [origin], resolve: resolverOf(['127.0.0.1', '127.0.0.2', '127.0.0.1']) });
    try {
      const bodies = [];
      for (let i = 0; i < 3; i++) {
        const result = await fetcher(`${origin}/x`);
        if (!result.ok) throw new Error(result.reason);
        bodies.push(result.response.text());
      }
      // The body names the server that answered: the socket went where the resolver pointed this time.
      expect(bodies).toEqual(['first', 'second', 'first']);
      // Back on 127.0.0.1, the first connection is reused.
      expect(seen[2]?.socket).toBe(seen[0]?.socket);
    } finally {
      fetcher.close();
    }
  });

  it('still refuses a non-public address before any pooled socket is considered', async () => {
    const origin = `http://market.test:${port}`;
    const allowed = createGuardedFetch({ allowedOrigins: [origin], resolve: resolverOf(['127.0.0.1']) });
    const guarded = createGuardedFetch({ resolve: resolverOf(['127.0.0.1']) });
    try {
      expect(await allowed(`${origin}/x`)).toMatchObject({ ok: true });
      expect(await guarded(`${origin}/x`)).toMatchObject({ ok: false, reason: 'blocked_address', addressClass: 'loopback' });
    } finally {
      allowed.close();
      guarded.close();
    }
  });

  it('resends a GET on a new connection when a reused one was dropped; never a POST', async () => {
    const origin = `http://market.test:${port}`;
    const fetcher = createGuardedFetch({ allowedOrigins: [origin], resolve: resolverOf(['127.0.0.1']) });
    try {
      expect(await fetcher(`${origin}/x`)).toMatchObject({ ok: true });
      dropReused = true;
      seen.length = 0;
      expect(await fetcher(`${origin}/x`)).toMatchObject({ ok: true, response: { status: 200 } });
      expect(seen).toHaveLength(1); // answered once, on the fresh connection
      // Warm the pool again, then a POST over the dropped connection is reported, not repeated.
      dropReused = false;
      expect(await fetcher(`${origin}/x`)).toMatchObject({ ok: true });
      dropReused = true;
      seen.length = 0;
      expect(await fetcher(`${origin}/x`, { method: 'POST', body: '{}' })).toMatchObject({ ok: false, reason: 'connection_failed' });
      expect(seen).toHaveLength(0);
    } finally {
      dropReused = false;
      fetcher.close();
    }
  });
});

describe('pinned agents', () => {
  const destination = { protocol: 'https:' as const, address: '93.184.216.34', family: 4 as const, port: 443, hostname: 'a.example' };

  it('keys pools by protocol, address, port and TLS server name', () => {
    const agents = createPinnedAgents();
    const agent = agents.agentFor(destination);
    expect(agents.agentFor({ ...destination })).toBe(agent);
    expect(agents.agentFor({ ...destination, address: '93.184.216.35' })).not.toBe(agent);
    expect(agents.agentFor({ ...destination, port: 8443 })).not.toBe(agent);
    expect(agents.agentFor({ ...destination, protocol: 'http:' })).not.toBe(agent);
    // A socket verified for a.example is never handed to b.example.
    expect(agents.agentFor({ ...destination, hostname: 'b.example' })).not.toBe(agent);
    // Plain HTTP has no server name to verify.
    expect(destinationKey({ ...destination, protocol: 'http:' })).toBe(destinationKey({ ...destination, protocol: 'http:', hostname: 'b.example' }));
    agents.destroy();
    expect(agents.size).toBe(0);
  });

  it('keeps at most maxDestinations pools, dropping the least recently used', () => {
    const agents = createPinnedAgents({ maxDestinations: 2, maxSocketsPerDestination: 1, idleTimeoutMs: 1_000 });
    const a = agents.agentFor({ ...destination, address: '93.184.216.1' });
    agents.agentFor({ ...destination, address: '93.184.216.2' });
    expect(agents.agentFor({ ...destination, address: '93.184.216.1' })).toBe(a); // now the most recent
    agents.agentFor({ ...destination, address: '93.184.216.3' }); // drops .2
    expect(agents.size).toBe(2);
    expect(agents.agentFor({ ...destination, address: '93.184.216.1' })).toBe(a);
    agents.destroy();
  });
});
