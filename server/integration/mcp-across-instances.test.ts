/**
 * /mcp behind a load balancer without sticky sessions: two app instances on one database (one SQLite
 * file here; one PostgreSQL schema under `npm run test:postgres`) and one sandbox, each with its own
 * HTTP server. A session initialized on A is used, then closed, through B, and A refuses it after;
 * the per-key limit on open sessions counts the sessions of both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../http/app';
import { createLogger } from '../logger';
import { MCP_SESSIONS_PER_KEY } from '../mcp/http';
import { signUpOnStack, startAgentStack, type AgentStack } from './agent-support';

let dir: string;
const stacks: AgentStack[] = [];
const apps: FastifyInstance[] = [];
const urls: string[] = [];

async function listen(stack: AgentStack): Promise<void> {
  const app = await buildHttpApp({
    deps: { mode: 'sandbox', version: '0.0.0-test', logger: createLogger({ level: 'silent' }), ...stack },
    publicOrigin: 'http://127.0.0.1:5402',
    mcp: { approvalWaitMs: 5_000, taskWaitMs: 15_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  apps.push(app);
  urls.push(`http://127.0.0.1:${address.port}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-mcp-across-'));
  const a = await startAgentStack(dir);
  const b = await startAgentStack(dir, { sandbox: a.sandbox });
  stacks.push(a, b);
  await listen(a);
  await listen(b);
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  for (const stack of [...stacks].reverse()) await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

const A = 0;
const B = 1;

/** A client of instance `on`; with `sessionId`, it joins that session instead of initializing one. */
async function connect(on: number, secret: string, sessionId?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'steward-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', urls[on]), {
    requestInit: { headers: { authorization: `Bearer ${secret}` } },
    ...(sessionId ? { sessionId } : {}),
  });
  await client.connect(transport);
  return { client, transport };
}

async function budget(client: Client) {
  const result = (await client.callTool({ name: 'get_budget', arguments: {} })) as CallToolResult;
  return result.isError === true ? 'error' : 'ok';
}

async function personWithKey(prefix: string) {
  const stack = stacks[A] as AgentStack;
  const userId = await signUpOnStack(stack, prefix);
  return stack.agentKeys.create(userId, { name: 'agent', monthlyCapSats: 5_000, perCallCapSats: 1_000, allowed: [], mayAutoSpend: true, expiresInDays: 1 });
}

describe('MCP sessions across two instances on one database', () => {
  it('serves on B a session initialized on A, and once B closes it A refuses it', async () => {
    const { secret } = await personWithKey('mcp-across');
    const onA = await connect(A, secret);
    const sessionId = onA.transport.sessionId ?? '';
    expect(sessionId).not.toBe('');
    expect(await budget(onA.client)).toBe('ok');

    const onB = await connect(B, secret, sessionId);
    expect(await budget(onB.client)).toBe('ok');
    const fetched = (await onB.client.callTool({ name: 'fetch', arguments: { service: 'satoshi-jokes/joke', input: { topic: 'bitcoin' } } })) as CallToolResult;
    expect(fetched.isError).not.toBe(true);

    await onB.transport.terminateSession();
    await expect(onA.client.callTool({ name: 'get_budget', arguments: {} })).rejects.toThrow(/404|session_not_found/);
    await onA.client.close().catch(() => undefined);
  }, 60_000);

  it("counts a key's open sessions on both: one more opened on B closes the oldest, opened on A", async () => {
    const { secret } = await personWithKey('mcp-across-limit');
    const clients = [];
    for (let i = 0; i < MCP_SESSIONS_PER_KEY; i++) clients.push((await connect(A, secret)).client);
    const extra = await connect(B, secret);
    try {
      await expect(clients[0]?.callTool({ name: 'get_budget', arguments: {} })).rejects.toThrow();
      expect(await budget(clients[1] as Client)).toBe('ok');
      expect(await budget(extra.client)).toBe('ok');
    } finally {
      await Promise.all([...clients, extra.client].map((c) => c.close().catch(() => undefined)));
    }
  }, 60_000);
});
