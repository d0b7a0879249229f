/**
 * An agent key's caps are money limits, so they hold across instances: two app stacks on one database
 * (one SQLite file here; one PostgreSQL schema under `npm run test:postgres`) and one sandbox pay steps
 * through the same key at once, and together they never spend past its monthly cap. Each step's key
 * check and hold are written in its payment's write-ahead transaction, which the database serializes
 * across both stacks; a lock held in one process's memory would let each stack pay one step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteStepFor } from '../agent/tasks/task-runner';
import { signUpOnStack, startAgentStack, type AgentStack } from './agent-support';

let dir: string;
let a: AgentStack;
let b: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-key-caps-'));
  a = await startAgentStack(dir);
  b = await startAgentStack(dir, { sandbox: a.sandbox });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An approved one-step joke for the key, asked through `stack`; with the step's maximum (fee allowance included). */
async function approvedJoke(stack: AgentStack, userId: string, keyId: string, index: number) {
  const service = stack.catalog.servicesFor(userId).find((s) => s.id === 'satoshi-jokes/joke');
  if (!service) throw new Error('the sandbox market has no joke service');
  const step = quoteStepFor({ id: 's1', serviceId: service.id, input: { topic: 'bitcoin' }, reason: 'cap race' }, service, [], () => undefined);
  const quoted = await stack.quotes.quotePlan({ userId, taskId: `cap-race-${index}`, steps: [step] });
  if (!quoted.ok) throw new Error(quoted.message);
  const asked = stack.approvals.request({ userId, quote: quoted.quote, agentKeyId: keyId });
  if (asked.approval.status !== 'approved') throw new Error(`the joke was not approved at once: ${asked.approval.status}`);
  return { approvalId: asked.approval.id, maxMsat: quoted.quote.totalMsatMax };
}

describe("an agent key's caps across two instances on one database", () => {
  it('never lets two stacks spending through one key at once pass its monthly cap together', async () => {
    const userId = await signUpOnStack(a, 'key-caps');
    const probe = await approvedJoke(a, userId, a.agentKeys.create(userId, { name: 'probe', monthlyCapSats: 10_000, perCallCapSats: 10_000, allowed: [], mayAutoSpend: true, expiresInDays: 1 }).key.id, 0);
    // Room for one joke's hold, never two.
    const monthlyCapSats = Math.ceil((probe.maxMsat * 1.5) / 1000);
    const { key } = a.agentKeys.create(userId, { name: 'racer', monthlyCapSats, perCallCapSats: 10_000, allowed: [], mayAutoSpend: true, expiresInDays: 1 });
    // Every approval is made while the key has spent nothing, so each alone fits; half on each stack.
    const approvals = await Promise.all([1, 2, 3, 4].map((i) => approvedJoke(i % 2 === 0 ? a : b, userId, key.id, i)));

    const results = await Promise.all(approvals.map(({ approvalId }, i) => (i % 2 === 0 ? a : b).spending.spendStep({ userId, approvalId, stepId: 's1' })));

    // A step after the paid one may be served by its token (no money moves); every other is refused by name.
    const kinds = results.map((r) => (r.outcome.kind === 'refused' ? `refused:${r.outcome.reason}` : r.outcome.kind));
    expect(kinds).toContain('delivered');
    expect(kinds.filter((k) => k !== 'delivered').every((k) => k === 'refused:over_key_monthly_cap')).toBe(true);
    // One payment in all (two would pass the cap), and what the key counts is its amount and fee.
    const paid = a.agentKeys.paymentIds(userId, key.id).map((id) => a.payments.records.byId(id));
    expect(paid).toHaveLength(1);
    const spent = a.agentKeys.get(userId, key.id)?.spentThisMonthMsat ?? -1;
    expect(spent).toBe((paid[0]?.amountMsat ?? 0) + (paid[0]?.feeMsat ?? 0));
    expect(spent).toBeLessThanOrEqual(monthlyCapSats * 1000);
    expect(b.agentKeys.get(userId, key.id)?.spentThisMonthMsat).toBe(spent);
  }, 60_000);
});
