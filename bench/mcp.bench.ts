/**
 * What the MCP layer costs an agent: the same purchase (one paid call to the sandbox market's joke,
 * auto-approved, paid over NWC, delivered, with its receipt) made two ways in the same run, alternating:
 *
 *   direct: the app's own task path in process (tasks.submitPlanned -> quote -> approval -> spending);
 *   MCP:    the MCP SDK's Client calling `fetch` over Streamable HTTP at /mcp with an agent key.
 *
 * Each round uses a fresh person (and key), so every call is a real payment, never a kept token.
 * Reported as the ratio of medians. Target: MCP at most 1.10x direct. Figures only; nothing is asserted.
 */
import '../server/rails/nwc/websocket-global';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildHttpApp } from '../server/http/app';
import { signUpOnStack, startAgentStack, untilTask } from '../server/integration/agent-support';
import { createLogger } from '../server/logger';

const ROUNDS = 15;
const SERVICE = 'satoshi-jokes/joke';
const KEY = { name: 'bench', monthlyCapSats: 100_000, perCallCapSats: 1_000, allowed: [], mayAutoSpend: true, expiresInDays: 1 };
const FINISHED = ['completed', 'failed', 'cancelled'];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function runMcpBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-mcp-bench-'));
  const stack = await startAgentStack(dir);
  const app = await buildHttpApp({ deps: { mode: 'sandbox', version: 'bench', logger: createLogger({ level: 'silent' }), ...stack } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const mcpUrl = new URL(`http://127.0.0.1:${address.port}/mcp`);
  const direct: number[] = [];
  const viaMcp: number[] = [];
  try {
    const person = async () => {
      const userId = await signUpOnStack(stack, 'bench');
      return { userId, key: stack.agentKeys.create(userId, KEY) };
    };
    // Round 0 warms both paths (connections, JIT) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      {
        const { userId, key } = await person();
        const started = performance.now();
        const task = stack.tasks.submitPlanned(userId, { request: 'bench', steps: [{ id: 's1', serviceId: SERVICE, input: {}, reason: 'bench' }], agentKeyId: key.key.id });
        const done = await untilTask(stack, userId, task.id, (t) => FINISHED.includes(t.status));
        if (round > 0) direct.push(performance.now() - started);
        if (done.status !== 'completed') throw new Error(`direct purchase ended ${done.status}`);
      }
      {
        const { key } = await person();
        const client = new Client({ name: 'bench', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { authorization: `Bearer ${key.secret}` } } }));
        const started = performance.now();
        const result = await client.callTool({ name: 'fetch', arguments: { service: SERVICE, input: {} } });
        if (round > 0) viaMcp.push(performance.now() - started);
        await client.close();
        if (result.isError) throw new Error(`MCP purchase refused: ${JSON.stringify(result.content)}`);
      }
    }
  } finally {
    await app.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = median(viaMcp) / median(direct);
  return {
    name: 'MCP fetch overhead',
    lines: [
      `One paid call (${SERVICE}, auto-approved, real NWC payment), ${ROUNDS} rounds each, alternating, a fresh person per call.`,
      `direct (task path in process)   median ${ms(median(direct))}`,
      `MCP fetch (Streamable HTTP)     median ${ms(median(viaMcp))}`,
      `ratio MCP / direct: ${ratio.toFixed(2)}x (target <= 1.10x: ${ratio <= 1.1 ? 'met' : 'not met'})`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runMcpBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
