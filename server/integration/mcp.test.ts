/**
 * The MCP server end to end, driven by the MCP SDK's own Client over Streamable HTTP and over stdio
 * (`npm run mcp`, the bridge), against the real app on the sandbox stack: real quotes, approvals,
 * NWC payments and receipts. Every "Verified when" of issue 15 runs on both transports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../shared/governance';
import { usdCents } from '../../shared/money';
import { buildHttpApp } from '../http/app';
import { createLogger } from '../logger';
import { signUpOnStack, startAgentStack, untilTask, type AgentStack } from './agent-support';

let dir: string;
let stack: AgentStack;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-mcp-'));
  stack = await startAgentStack(dir);
  app = await buildHttpApp({
    deps: { mode: 'sandbox', version: '0.0.0-test', logger: createLogger({ level: 'silent' }), ...stack },
    publicOrigin: 'http://127.0.0.1:5402',
    mcp: { approvalWaitMs: 15_000, taskWaitMs: 20_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Elicit = (request: ElicitRequest['params']) => Promise<ElicitResult>;
type Transport = 'http' | 'stdio';

const KEY = { name: 'test agent', monthlyCapSats: 5_000, perCallCapSats: 1_000, allowed: [], mayAutoSpend: true, expiresInDays: 30 };

/** A connected SDK client for `secret`; with `elicit`, it declares form and URL elicitation and answers with it. */
async function connect(transport: Transport, secret: string, elicit?: Elicit): Promise<Client> {
  const client = new Client({ name: 'steward-test', version: '1.0.0' }, { capabilities: elicit ? { elicitation: { form: {}, url: {} } } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (request) => elicit(request.params));
  if (transport === 'http') {
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), { requestInit: { headers: { authorization: `Bearer ${secret}` } } }));
  } else {
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', 'server/mcp/stdio.ts'],
        env: { STEWARD_AGENT_KEY: secret, STEWARD_URL: baseUrl },
        stderr: 'pipe',
      }),
    );
  }
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  return { isError: result.isError === true, text, body: JSON.parse(text) as Record<string, unknown> };
}

async function personWithKey(prefix: string, key: Partial<typeof KEY> = {}) {
  const userId = await signUpOnStack(stack, prefix);
  const created = stack.agentKeys.create(userId, { ...KEY, ...key });
  return { userId, keyId: created.key.id, secret: created.secret };
}

/** Turns on two-factor for the person; returns the code of the next time step (for approving). */
async function enableTwoFactor(userId: string): Promise<() => string> {
  const begun = await stack.accounts.twoFactor.beginEnrollment(userId, `${userId}@example.com`);
  if (!begun.ok) throw new Error(begun.reason);
  const nowS = Math.floor(Date.now() / 1000);
  // Enrolled with the previous step's code (accepted within the drift tolerance), so the current one is fresh.
  const confirmed = stack.accounts.twoFactor.confirmEnrollment(userId, generateSync({ secret: begun.secret, epoch: nowS - 30 }));
  if (!confirmed.ok) throw new Error(confirmed.reason);
  return () => generateSync({ secret: begun.secret, epoch: Math.floor(Date.now() / 1000) });
}

describe.each<Transport>(['http', 'stdio'])('MCP over %s', (transport) => {
  it('an auto-approved fetch returns the content and a receipt, and no secret', async () => {
    const alice = await personWithKey('mcp-auto');
    const client = await connect(transport, alice.secret);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['approval_status', 'ask', 'dispute', 'fetch', 'get_balance', 'get_budget', 'list_receipts', 'list_services', 'quote']);
      expect(tools.tools.find((t) => t.name === 'fetch')?.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
      const jokeRecord = async () =>
        ((await call(client, 'list_services')).body as unknown as { id: string; reputationLast30Days: { paidCalls: number; nonDeliveryPercent: number } }[]).find((s) => s.id === 'satoshi-jokes/joke')?.reputationLast30Days;
      const before = await jokeRecord();
      const fetched = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: { topic: 'bitcoin' } });
      expect(fetched.isError).toBe(false);
      expect(fetched.body).toMatchObject({ status: 'completed' });
      const [result] = fetched.body.results as { output: unknown; receipt: { outcome: string; evidence: Record<string, unknown> } }[];
      expect(result?.output).toBeTruthy();
      expect(result?.receipt.outcome).toBe('delivered');
      expect(result?.receipt.evidence).toMatchObject({ proofOfPayment: true });
      // The catalog now carries the paid call in the joke provider's record (counted over everyone, so relative).
      expect((await jokeRecord())?.paidCalls).toBe((before?.paidCalls ?? -1) + 1);
      expect(result?.receipt.evidence).not.toHaveProperty('preimageHex');
      const payment = stack.payments.records.byIdempotencyKey(alice.userId, `task:${String(fetched.body.taskId)}:step:s1`);
      expect(payment?.preimageHex).toBeTruthy();
      expect(fetched.text).not.toContain(payment?.preimageHex ?? '-');
      expect(fetched.text).not.toContain(alice.secret);
      expect(stack.agentKeys.get(alice.userId, alice.keyId)?.spentThisMonthMsat).toBeGreaterThan(0);
      // Activity names the agent that spent; the approval records the key that asked.
      expect(stack.agentKeys.namesForPayments(alice.userId, [payment?.id ?? '']).get(payment?.id ?? '')).toBe('test agent');
      expect(stack.approvals.list(alice.userId)[0]?.agentKeyId).toBe(alice.keyId);
      const receipts = await call(client, 'list_receipts');
      expect((receipts.body.receipts as unknown[]).length).toBe(1);
    } finally {
      await client.close();
    }
  }, 60_000);

  it("a fetch above the key's per-call cap is refused by name, and nothing is paid", async () => {
    const alice = await personWithKey('mcp-cap', { perCallCapSats: 2 });
    const client = await connect(transport, alice.secret);
    try {
      const fetched = await call(client, 'fetch', { service: 'block-data/btc-price', input: {} });
      expect(fetched).toMatchObject({ isError: true, body: { error: 'over_key_call_cap' } });
      expect(stack.agentKeys.get(alice.userId, alice.keyId)?.spentThisMonthMsat).toBe(0);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a fetch needing a click is approved through form elicitation', async () => {
    const alice = await personWithKey('mcp-form', { mayAutoSpend: false });
    const asked: ElicitRequest['params'][] = [];
    const client = await connect(transport, alice.secret, async (params) => {
      asked.push(params);
      return { action: 'accept', content: { decision: 'approve' } };
    });
    try {
      const fetched = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'form', requestedSchema: { properties: { decision: { enum: ['approve', 'deny'] } } } });
      expect(fetched).toMatchObject({ isError: false, body: { status: 'completed' } });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a provider blocked while the agent waits for the click, or before it asks, is never paid', async () => {
    const alice = await personWithKey(`mcp-block-${transport}`, { mayAutoSpend: false });
    // The person blocks the provider while the approval is on screen, then approves: the block wins.
    const client = await connect(transport, alice.secret, async () => {
      stack.standing.block(alice.userId, { providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes', disputeId: null });
      return { action: 'accept', content: { decision: 'approve' } };
    });
    try {
      const fetched = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      expect(fetched).toMatchObject({ isError: true, body: { error: 'provider_blocked' } });
      // Asked again, with the block in place, it is refused before any approval.
      const again = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      expect(again).toMatchObject({ isError: true, body: { error: 'provider_blocked', message: expect.stringContaining('You blocked Satoshi Jokes') } });
      const paid = await call(client, 'list_receipts');
      expect(paid.body.receipts).toEqual([]);
      expect(stack.agentKeys.get(alice.userId, alice.keyId)?.spentThisMonthMsat).toBe(0);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a 2FA spend returns a URL elicitation to the approval page and completes once the page is used', async () => {
    const alice = await personWithKey('mcp-2fa');
    stack.governance.saveSettings(alice.userId, { ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { autoMaxUsdCents: usdCents(0), confirmMaxUsdCents: usdCents(0), notifyOnAuto: false } });
    const code = await enableTwoFactor(alice.userId);
    const asked: ElicitRequest['params'][] = [];
    const client = await connect(transport, alice.secret, async (params) => {
      asked.push(params);
      if (params.mode !== 'url') return { action: 'decline' };
      // The person opens the page and approves there with their code (the page's own call).
      const approvalId = new URL(params.url).searchParams.get('approval') ?? '';
      setTimeout(() => stack.approvals.approve({ userId: alice.userId, approvalId, totpCode: code() }), 50);
      return { action: 'accept' };
    });
    try {
      const fetched = await call(client, 'fetch', { service: 'block-data/btc-price', input: {} });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'url', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:5402\/approvals\?approval=/) });
      expect(fetched).toMatchObject({ isError: false, body: { status: 'completed' } });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a client without elicitation gets the pending answer; approval_status later reports the result', async () => {
    const alice = await personWithKey('mcp-pending', { mayAutoSpend: false });
    const client = await connect(transport, alice.secret);
    try {
      const fetched = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      expect(fetched).toMatchObject({ isError: false, body: { status: 'pending_approval', decision: 'confirm' } });
      const approvalId = String(fetched.body.approvalId);
      expect(fetched.body.approvalUrl).toBe(`http://127.0.0.1:5402/approvals?approval=${approvalId}`);
      // Nothing was approved for the client that could not ask.
      expect(stack.approvals.get(alice.userId, approvalId)?.status).toBe('pending');
      expect((await call(client, 'approval_status', { approvalId })).body).toMatchObject({ status: 'pending_approval' });
      expect(stack.approvals.approve({ userId: alice.userId, approvalId })).toMatchObject({ ok: true });
      expect((await call(client, 'approval_status', { approvalId, waitSeconds: 20 })).body).toMatchObject({ status: 'completed' });
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a revoked key is refused mid-session, by name, and its work in flight stops', async () => {
    const alice = await personWithKey('mcp-revoke', { mayAutoSpend: false });
    const client = await connect(transport, alice.secret);
    try {
      expect((await call(client, 'get_budget')).isError).toBe(false);
      const waiting = await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      expect(waiting.body).toMatchObject({ status: 'pending_approval' });
      expect(stack.agentKeys.revoke(alice.userId, alice.keyId)).toMatchObject({ ok: true });
      await untilTask(stack, alice.userId, String(waiting.body.taskId), (t) => t.status === 'cancelled');
      expect(stack.approvals.get(alice.userId, String(waiting.body.approvalId))?.status).toBe('cancelled');
      expect(await call(client, 'fetch', { service: 'satoshi-jokes/joke', input: {} })).toMatchObject({ isError: true, body: { error: 'key_revoked' } });
      expect(await call(client, 'list_services')).toMatchObject({ isError: true, body: { error: 'key_revoked' } });
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('MCP authorization: a key of one person never reaches another person', () => {
  it("alice's key cannot read bob's approvals, receipts or tasks, nor use bob's session", async () => {
    const bob = await personWithKey('mcp-bob', { mayAutoSpend: false });
    const alice = await personWithKey('mcp-alice');
    const bobClient = await connect('http', bob.secret);
    const aliceClient = await connect('http', alice.secret);
    try {
      const pending = await call(bobClient, 'fetch', { service: 'satoshi-jokes/joke', input: {} });
      const approvalId = String(pending.body.approvalId);
      const taskId = String(pending.body.taskId);
      expect(await call(aliceClient, 'approval_status', { approvalId })).toMatchObject({ isError: true, body: { error: 'not_found' } });
      expect(await call(aliceClient, 'dispute', { taskId, stepId: 's1', complaint: 'not mine' })).toMatchObject({ isError: true, body: { error: 'not_found' } });
      expect((await call(aliceClient, 'list_receipts')).body).toEqual({ receipts: [] });
      expect(stack.approvals.get(bob.userId, approvalId)?.status).toBe('pending');

      // Bob's session id with alice's key is refused before any tool runs.
      const sessionId = (bobClient.transport as StreamableHTTPClientTransport).sessionId ?? '';
      const response = await fetch(new URL('/mcp', baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.secret}`, 'mcp-session-id': sessionId, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_balance', arguments: {} } }),
      });
      expect(response.status).toBe(403);
      // No key, or a made-up one, opens nothing.
      const anonymous = await fetch(new URL('/mcp', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(anonymous.status).toBe(401);
      const forged = await fetch(new URL('/mcp', baseUrl), { method: 'POST', headers: { authorization: 'Bearer stw_forged-key-forged-key-forged', 'content-type': 'application/json' }, body: '{}' });
      expect(forged.status).toBe(401);
    } finally {
      await bobClient.close();
      await aliceClient.close();
    }
  }, 60_000);
});

describe('MCP tools beside fetch', () => {
  it('quote prices without paying, ask plans and pays, get_balance and get_budget read, dispute keeps the complaint', async () => {
    const alice = await personWithKey('mcp-tools');
    const client = await connect('http', alice.secret);
    try {
      const services = await call(client, 'list_services');
      expect((services.body as unknown as { id: string }[]).map((s) => s.id)).toContain('satoshi-jokes/joke');
      const quoted = await call(client, 'quote', { url: 'http://127.0.0.1:1/v1/joke' });
      expect(quoted.body).toMatchObject({ error: 'service_not_found' });
      const joke = (services.body as unknown as { id: string; url: string }[]).find((s) => s.id === 'satoshi-jokes/joke');
      const priced = await call(client, 'quote', { url: `${joke?.url ?? ''}?topic=bitcoin` });
      expect(priced.body).toMatchObject({ serviceId: 'satoshi-jokes/joke', decision: { kind: 'auto' } });
      expect(stack.agentKeys.get(alice.userId, alice.keyId)?.spentThisMonthMsat).toBe(0);

      const asked = await call(client, 'ask', { request: 'tell me a joke about bitcoin' });
      expect(asked.body).toMatchObject({ status: 'completed' });
      const balance = await call(client, 'get_balance');
      expect(Number(balance.body.availableMsat)).toBeLessThan(100_000_000);
      const budget = await call(client, 'get_budget');
      expect(budget.body).toMatchObject({ key: { name: 'test agent', perCallCapSats: 1_000 } });

      const disputed = await call(client, 'dispute', { taskId: String(asked.body.taskId), stepId: 's1', complaint: 'not funny' });
      expect(disputed.body).toMatchObject({ status: 'disputed' });
      expect(stack.tasks.get(alice.userId, String(asked.body.taskId))?.steps[0]?.judgement).toBe('disputed');
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('MCP sessions', () => {
  it("a key keeps at most 8 open sessions: a ninth closes the key's oldest", async () => {
    const alice = await personWithKey('mcp-sessions');
    const clients = [];
    for (let i = 0; i < 9; i++) clients.push(await connect('http', alice.secret));
    try {
      await expect(clients[0]?.callTool({ name: 'get_balance', arguments: {} })).rejects.toThrow();
      expect((await call(clients[8] as Client, 'get_balance')).isError).toBe(false);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 60_000);
});
