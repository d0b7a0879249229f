/**
 * Every two-step chain the sandbox catalog allows (any service, then a service that takes text),
 * planned, quoted and run by the real agent on the sandbox market. Each either delivers a sensible
 * result (the second step read the first one's text, never a provenance label) or is refused before
 * anything is paid; none pays for its first step and then fails. The chains are planned by the LLM
 * planner against a local stub that answers with the chain as tool calls, so every pair is reached
 * whatever phrasing the built-in planner would need.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogService } from '../../shared/catalog';
import { preferredCatalog } from '../agent/planner/equivalents';
import type { TaskView } from '../agent/tasks/task-runner';
import { SAMPLE_INPUTS } from '../sandbox/market/sample-inputs';
import { signUpOnStack, startAgentStack, untilTask, type AgentStack } from './agent-support';

let dir: string;
let stack: AgentStack;
let llm: Server;
let userId: string;
/** What the stub model answers for each request: the chain's two calls. */
const scripted = new Map<string, Array<{ name: string; arguments: string }>>();

beforeAll(async () => {
  llm = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: Array<{ role: string; content: string }> };
      const request = body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const calls = (scripted.get(request) ?? []).map((call, i) => ({ id: `call_${i}`, type: 'function', function: call }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls } }] }));
    });
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(join(tmpdir(), 'steward-planner-chains-'));
  stack = await startAgentStack(dir, { llm: { baseUrl: `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`, model: 'stub' } });
  userId = await signUpOnStack(stack, 'chains');
}, 30_000);

afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => llm.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const toolName = (service: CatalogService) => service.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
const takesText = (service: CatalogService) => service.inputSchema.properties?.['text']?.['type'] === 'string';
const finished = (task: TaskView) => ['completed', 'failed', 'cancelled', 'awaiting_approval'].includes(task.status);

/** The chains: every service, then every service that takes a text (with its other inputs from the samples). */
/** The catalog as planners are offered it: of equivalent services (the two weathers) only the preferred one. */
function chains(): Array<{ producer: CatalogService; consumer: CatalogService }> {
  const catalog = preferredCatalog(stack.catalog.servicesFor(userId));
  return catalog.flatMap((producer) => catalog.filter(takesText).map((consumer) => ({ producer, consumer })));
}

async function runChain(producer: CatalogService, consumer: CatalogService): Promise<TaskView> {
  const request = `chain ${producer.name} -> ${consumer.name}`;
  const { text: _given, ...consumerRest } = SAMPLE_INPUTS[consumer.name] ?? {};
  scripted.set(request, [
    { name: toolName(producer), arguments: JSON.stringify(SAMPLE_INPUTS[producer.name] ?? {}) },
    { name: toolName(consumer), arguments: JSON.stringify({ ...consumerRest, text: '$step1' }) },
  ]);
  const submitted = stack.tasks.submit(userId, request);
  if (!submitted.ok) throw new Error(submitted.reason);
  let task = await untilTask(stack, userId, submitted.task.id, finished);
  if (task.status === 'awaiting_approval' && task.approvalId) {
    // A dear chain (the premium report) waits for the person: approve it as they would.
    const approved = stack.approvals.approve({ userId, approvalId: task.approvalId });
    task = approved.ok ? await untilTask(stack, userId, task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status)) : task;
  }
  return task;
}

describe('every two-step chain on the sandbox market', () => {
  it('delivers a sensible result or is refused before paying; none pays and then fails', async () => {
    const all = chains();
    expect(all.length).toBeGreaterThanOrEqual(20);
    const outcomes: string[] = [];
    for (const { producer, consumer } of all) {
      const task = await runChain(producer, consumer);
      const label = `${producer.name} -> ${consumer.name}`;
      outcomes.push(`${label}: ${task.status}${task.failure ? ` (${task.failure.reason})` : ''}`);
      if (task.status === 'completed') {
        expect(task.steps.map((s) => s.status), label).toEqual(['delivered', 'delivered']);
        // The second step worked on the first one's words, not on where they came from.
        const output = task.steps[1]?.output as Record<string, unknown>;
        const mainText = consumer.outputTextField ? output[consumer.outputTextField] : output['words_analysed'];
        expect([label, typeof mainText === 'string' ? /sandbox\)/.test(mainText) || mainText.trim() === '' : Number(mainText) > 0]).toEqual([label, typeof mainText === 'string' ? false : true]);
      } else {
        expect([label, task.spentMsat]).toEqual([label, 0]);
      }
    }
    // Every chain of this catalog can be fed: a forecast, a price or a list reads as text.
    expect(outcomes.filter((o) => !o.endsWith(': completed') && !/awaiting_approval/.test(o))).toEqual([]);
  }, 240_000);
});
