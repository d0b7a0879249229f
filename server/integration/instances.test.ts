/**
 * Two Steward instances on one database and one sandbox (each its own connection and leases): a task
 * runs on the instance holding its lease. An instance that starts leaves a live instance's task alone,
 * and takes it over once the first instance stopped (its lease released), finishing it there, paid once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceipts } from '../domain/payments';
import { signUpOnStack, startAgentStack, untilTask, type AgentStack } from './agent-support';

let dir: string;
let stack: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-instances-'));
  stack = await startAgentStack(dir);
}, 30_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tasks with two instances', () => {
  it("a starting instance leaves a live instance's task alone, and takes it over once that instance stopped", async () => {
    const userId = await signUpOnStack(stack, 'instances');
    const submitted = stack.tasks.submit(userId, 'weather in Paris and London tomorrow and BTC price');
    if (!submitted.ok) throw new Error(submitted.reason);
    const taskId = submitted.task.id;
    const waiting = await untilTask(stack, userId, taskId, (t) => t.status === 'awaiting_approval');

    const second = stack.anotherInstance();
    try {
      // The first instance's loop holds the task: the second neither runs it nor fails it.
      expect(await second.tasks.resume()).toEqual({ resumed: [], failed: [] });
      expect(stack.tasks.get(userId, taskId)?.status).toBe('awaiting_approval');

      // The first instance shuts down: its loop ends and releases the task's lease.
      await stack.tasks.stop();
      expect(await second.tasks.resume()).toEqual({ resumed: [taskId], failed: [] });

      expect(second.approvals.approve({ userId, approvalId: waiting.approvalId ?? '' }).ok).toBe(true);
      await second.tasks.idle();
      const done = second.tasks.get(userId, taskId);
      expect(done?.status).toBe('completed');
      expect(done?.steps.map((s) => s.status)).toEqual(['delivered', 'delivered', 'delivered']);
      // Every payment is a step's, once (the second weather call redeems the first one's token).
      const paidBySteps = [...new Set(done?.steps.flatMap((s) => (s.paymentId ? [s.paymentId] : [])))].sort();
      expect(createReceipts(stack.database.db).list(userId).map((r) => r.id).sort()).toEqual(paidBySteps);
      expect(paidBySteps.length).toBeGreaterThan(0);
      stack.ledger.checkInvariants();
    } finally {
      await second.close();
    }
  }, 60_000);
});
