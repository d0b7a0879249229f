/**
 * The built-in planner inside the real agent on the sandbox market: a follow-up ("translate that into
 * Spanish") works on the previous answer without buying it again, and a partial plan, however cheap,
 * waits for the person instead of being approved automatically.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { signUpOnStack, startAgentStack, untilTask, type AgentStack } from './agent-support';

let dir: string;
let stack: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-planner-followup-'));
  stack = await startAgentStack(dir);
}, 30_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const settled = (task: TaskView) => ['completed', 'failed', 'cancelled', 'awaiting_approval'].includes(task.status);

async function run(userId: string, text: string): Promise<TaskView> {
  const submitted = stack.tasks.submit(userId, text);
  if (!submitted.ok) throw new Error(submitted.reason);
  return untilTask(stack, userId, submitted.task.id, settled);
}

/** Runs a request to its end, approving it as the person would when it waits for them. */
async function runApproved(userId: string, text: string): Promise<TaskView> {
  const task = await run(userId, text);
  if (task.status !== 'awaiting_approval' || !task.approvalId) return task;
  const approved = stack.approvals.approve({ userId, approvalId: task.approvalId });
  if (!approved.ok) throw new Error(approved.reason);
  return untilTask(stack, userId, task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status));
}

describe('the built-in planner in the agent', () => {
  it('"translate that into Spanish" translates the previous answer, paying only for the translation', async () => {
    const userId = await signUpOnStack(stack, 'followup');
    const joke = await run(userId, 'tell me a joke about lightning');
    expect(joke.status).toBe('completed');
    const jokeText = joke.answer?.summary.replace(/^joke \(Satoshi Jokes\): /, '') ?? '';
    expect(jokeText).toMatch(/\?/);

    const translated = await run(userId, 'translate that into Spanish');
    expect(translated.status).toBe('completed');
    expect(translated.steps.map((s) => s.serviceName)).toEqual(['translate']);
    expect(translated.plan?.steps[0]?.input).toEqual({ text: jokeText, to: 'es' });
    expect(translated.steps[0]?.reasonText).toContain('your previous answer');
  }, 30_000);

  it('"translate the joke" after a joke and its summary reads the joke; "that" reads the summary, the final answer', async () => {
    const userId = await signUpOnStack(stack, 'followup-parts');
    const chain = await runApproved(userId, 'tell me a joke and summarise it in one sentence');
    expect(chain.status).toBe('completed');
    expect(chain.steps.map((s) => s.serviceName)).toEqual(['joke', 'summarise']);
    const summary = (chain.steps[1]?.output as { summary: string }).summary;

    const ofJoke = await runApproved(userId, 'translate the joke into Spanish');
    expect(ofJoke.steps.map((s) => s.serviceName)).toEqual(['translate']);
    const jokeText = ofJoke.plan?.steps[0]?.input['text'];
    expect(jokeText).not.toBe(summary);
    expect(jokeText).toMatch(/\?/);
    expect(ofJoke.steps[0]?.reasonText).toContain('the joke in your previous answer');

    // The translation is now the last answer; ask about the chain before it again.
    const again = await runApproved(userId, 'tell me a joke and summarise it in one sentence');
    const lastSummary = (again.steps[1]?.output as { summary: string }).summary;
    const ofThat = await run(userId, 'translate that into French');
    expect(ofThat.plan?.steps[0]?.input).toEqual({ text: lastSummary, to: 'fr' });
  }, 30_000);

  it('a partial plan says what it will not do and waits for the person, even within the auto tier', async () => {
    const userId = await signUpOnStack(stack, 'partial');
    const task = await run(userId, 'tell me a joke and order me a pizza');
    expect(task.status).toBe('awaiting_approval');
    expect(task.plan?.notDone).toEqual([{ said: 'order me a pizza', why: 'no catalogued service does that.' }]);
    expect(task.decision).toMatchObject({ kind: 'confirm', why: expect.stringContaining('"order me a pizza" will not be done') });
    expect(task.spentMsat).toBe(0);
    // The same request without the part no service does is approved at once.
    expect((await run(userId, 'tell me a joke')).decision?.kind).toBe('auto');
  }, 30_000);
});
