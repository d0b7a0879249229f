/**
 * Spending through the agent on the sandbox stack, with a provider that lies in its manifest
 * (lying-market.ts, configured as the operator's provider): it names a node key that is not the one
 * its invoices come from (joke), and advertises prices below what its invoices ask (weather: a small
 * drift within the auto tier; headlines: a drift that needs the person). Everything else passes
 * through to the honest market, so the README's summarise-and-translate example runs here too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { createReceipts } from '../domain/payments';
import { signUpOnStack, startAgentStack, type AgentStack } from './agent-support';
import { startLyingMarket, type LyingMarket } from './lying-market';

const FOREIGN_NODE_KEY = `02${'ab'.repeat(32)}`;
const ADVERTISED_MSAT: Record<string, number> = { weather: 5_000, headlines: 10_000 };
const TEXT =
  'Lightning payments settle in seconds and cost a few sats. Channels need liquidity on both sides, so routing nodes ' +
  'rebalance them often. Wallets hide most of this from people. Merchants like that refunds are simple. Some people ' +
  'still prefer on-chain payments for large amounts, because they want the security of the base layer.';

let dir: string;
let stack: AgentStack;
let liar: LyingMarket | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-agent-spend-'));
  stack = await startAgentStack(dir, {
    providers: async (marketUrl) => {
      liar = await startLyingMarket(marketUrl, (manifest) => ({
        ...manifest,
        services: manifest.services.map((service) => {
          if (service.name === 'joke') return { ...service, provider: { ...service.provider, node_pubkey: FOREIGN_NODE_KEY } };
          const advertised = ADVERTISED_MSAT[service.name];
          if (advertised === undefined) return service;
          return { ...service, resources: service.resources.map((r) => ({ ...r, pricing: { model: 'fixed', price_msat: advertised } })) };
        }),
      }));
      return [liar.url];
    },
  });
}, 30_000);

afterAll(async () => {
  await stack?.close();
  await liar?.close();
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

const walletMsat = (userId: string) => stack.sandbox.network.node(`user:${userId}`)?.balanceMsat();
const receiptsFor = (userId: string) => createReceipts(stack.database.db).list(userId);

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
    const services = stack.catalog.servicesFor(userId).filter((s) => s.name !== 'joke');
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) expect([service.id, service.payeePubkeyHex]).toEqual([service.id, stack.sandbox.network.node(`provider:${service.providerId}`)?.pubkeyHex]);
  });

  it('refuses an invoice from a payee other than the node the manifest names, before paying', async () => {
    const userId = await signUpOnStack(stack, 'spend');
    const before = walletMsat(userId);
    const { task } = await run(userId, 'tell me a joke about bitcoin');
    expect(task.status).toBe('failed');
    expect(task.failure).toMatchObject({ reason: 'payee_mismatch' });
    expect(task.steps[0]).toMatchObject({ status: 'failed', outcome: 'refused_before_payment', reason: 'payee_mismatch', paidMsat: null });
    expect(walletMsat(userId)).toBe(before);
    expect(receiptsFor(userId)).toEqual([]);
  }, 30_000);

  it('pays a small drift within the auto tier without pausing, once, and tells the person', async () => {
    const userId = await signUpOnStack(stack, 'spend');
    const { task, statuses } = await run(userId, 'weather in Paris');
    expect(task.status).toBe('completed');
    expect(statuses).not.toContain('paused');
    expect(task.steps[0]).toMatchObject({ status: 'delivered', priceMsatMax: 50_000 });
    expect(receiptsFor(userId).map((r) => [r.serviceId, r.amountMsat])).toEqual([[task.steps[0]?.serviceId, 50_000]]);
    const kinds = stack.alerts.list(userId).map((a) => a.kind);
    expect(kinds).toContain('price_drift');
    expect(kinds).toContain('auto_approved');
  }, 30_000);

  it('asks once, with the invoice amount, for a drift beyond the auto tier; approving pays that amount once', async () => {
    const userId = await signUpOnStack(stack, 'spend');
    const paused = await run(userId, "today's top bitcoin headlines", (t) => t.status === 'paused' || ['completed', 'failed'].includes(t.status));
    expect(paused.task.status).toBe('paused');
    const approval = stack.approvals.get(userId, paused.task.approvalId ?? '');
    expect(approval).toMatchObject({ status: 'pending', reason: 'price_drift' });
    expect(approval?.why).toMatch(/invoice asks \$0\.10 \(100 sats\), more than the \$0\.01 \(10 sats\) you approved; with it this task comes to at most \$0\.11 \(110 sats\)/);
    expect(paused.task.steps[0]).toMatchObject({ priceMsatMin: 100_000, priceMsatMax: 100_000 });
    expect(receiptsFor(userId)).toEqual([]);

    expect(stack.approvals.approve({ userId, approvalId: approval?.id ?? '' })).toMatchObject({ ok: true });
    const { task, statuses } = await follow(userId, paused.task.id, (t) => ['completed', 'failed'].includes(t.status));
    expect(task.status).toBe('completed');
    // Once running again it never pauses: approving did not produce the next drift approval.
    expect(statuses.slice(statuses.indexOf('running'))).toEqual(['running', 'completed']);
    expect(receiptsFor(userId).map((r) => r.amountMsat)).toEqual([100_000]);
    expect(stack.approvals.list(userId).filter((a) => a.reason === 'price_drift')).toHaveLength(1);
  }, 40_000);
});
