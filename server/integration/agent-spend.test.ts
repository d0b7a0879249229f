/**
 * Spending through the agent on the honest sandbox market: a chained step is quoted within what the
 * earlier step can output, so the README's summarise-and-translate example never drifts, and every
 * sandbox service is bound to its provider's node. The lying providers (foreign payee, drift within
 * and beyond the auto tier) are in adversarial-provider.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { signUpOnStack, startAgentStack, type AgentStack } from './agent-support';

const TEXT =
  'Lightning payments settle in seconds and cost a few sats. Channels need liquidity on both sides, so routing nodes ' +
  'rebalance them often. Wallets hide most of this from people. Merchants like that refunds are simple. Some people ' +
  'still prefer on-chain payments for large amounts, because they want the security of the base layer.';

let dir: string;
let stack: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-agent-spend-'));
  stack = await startAgentStack(dir);
}, 30_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a request to its end (or until `stopAt` holds), recording every status the task passed through. */
async function run(userId: string, text: string, stopAt: (task: TaskView) => boolean = (t) => ['completed', 'failed', 'cancelled'].includes(t.status)) {
  const submitted = stack.tasks.submit(userId, text);
  if (!submitted.ok) throw new Error(submitted.reason);
  return follow(userId, submitted.task.id, stopAt);
}

async function follow(userId: string, taskId: string, stopAt: (task: TaskView) => boolean) {
  const statuses: string[] = [];
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), 25_000);
  try {
    const seen = (task: TaskView | null) => {
      if (task && statuses.at(-1) !== task.status) statuses.push(task.status);
      return task !== null && stopAt(task);
    };
    if (seen(stack.tasks.get(userId, taskId))) return { task: stack.tasks.get(userId, taskId) as TaskView, statuses };
    for await (const change of stack.taskEvents.changes(userId, controller.signal)) {
      if (change.taskId === taskId && seen(stack.tasks.get(userId, taskId))) return { task: stack.tasks.get(userId, taskId) as TaskView, statuses };
    }
    throw new Error(`task ${taskId} stopped at ${statuses.join(' -> ')}`);
  } finally {
    clearTimeout(timeout);
    controller.abort();
  }
}


describe('spending through the agent', () => {
  it("runs the README's summarise-and-translate example without a pause: the quote bounds the chained step", async () => {
    const userId = await signUpOnStack(stack, 'spend');
    const { task, statuses } = await run(userId, `Summarise this text and translate the summary to Spanish: ${TEXT}`);
    expect(task.status).toBe('completed');
    expect(statuses).not.toContain('awaiting_approval');
    expect(statuses).not.toContain('paused');
    expect(task.steps.map((s) => [s.serviceName, s.status])).toEqual([['summarise', 'delivered'], ['translate', 'delivered']]);
    const translate = task.steps[1];
    // The invoice fell inside the quoted range: no drift, one approval for the task.
    expect(translate?.paidMsat).toBeLessThanOrEqual((translate?.priceMsatMax ?? 0) + (translate?.feeMsat ?? 0));
    expect(stack.approvals.list(userId).map((a) => a.reason)).toEqual(['plan']);
  }, 40_000);

  it("binds the sandbox's services to their providers' nodes: the manifest publishes each node key", async () => {
    const userId = await signUpOnStack(stack, 'spend');
    const services = stack.catalog.servicesFor(userId);
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) expect([service.id, service.payeePubkeyHex]).toEqual([service.id, stack.sandbox.network.node(`provider:${service.providerId}`)?.pubkeyHex]);
  });
});
