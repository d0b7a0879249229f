/**
 * Restart: the server process is killed (SIGKILL, no shutdown hook) in the middle of a three-step
 * task, then started again on the same data. The task resumes and finishes or fails cleanly, no step
 * is paid twice, no payment is left unresolved, and budget usage is exactly what the receipts say.
 * Run several times with the kill landing at different points (after the first step, mid-payment).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import type { Receipt } from '../domain/payments';

const childPath = join(import.meta.dirname, 'agent-restart.child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { child: ChildProcess; lines: AsyncIterable<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (!child.stdout) throw new Error('no stdout');
  return { child, lines: createInterface({ input: child.stdout }) };
}

interface Progress {
  userId?: string;
  taskId?: string;
  status?: string;
  steps?: string[];
}

/** Starts the task and SIGKILLs the process the moment `killWhen` sees the progress it waits for. */
async function startAndKill(dir: string, killWhen: (p: Progress) => boolean): Promise<{ userId: string; taskId: string; lastSeen: Progress }> {
  const { child, lines } = run(['start', dir, 'restart@example.com']);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ids: { userId: string; taskId: string } | null = null;
  let lastSeen: Progress = {};
  for await (const line of lines) {
    const progress = JSON.parse(line) as Progress;
    if (progress.userId && progress.taskId) ids = { userId: progress.userId, taskId: progress.taskId };
    else lastSeen = progress;
    if (killWhen(progress)) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  if (!ids) throw new Error('the child never started the task');
  return { ...ids, lastSeen };
}

interface Resumed {
  task: TaskView;
  receipts: Receipt[];
  usedMsat: number;
  unresolved: number;
  balances: { availableMsat: number; reservedMsat: number };
}

async function resume(dir: string, userId: string, taskId: string): Promise<Resumed> {
  const { child, lines } = run(['resume', dir, userId, taskId]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let result: Resumed | null = null;
  for await (const line of lines) result = JSON.parse(line) as Resumed;
  expect(await exited).toBe(0);
  if (!result) throw new Error('the resumed child printed nothing');
  return result;
}

describe('agent restart', () => {
  it.each([
    ['after the first step was delivered', (p: Progress) => p.steps?.[0] === 'delivered'],
    ['while the second step is being paid', (p: Progress) => p.steps?.[1] === 'paying'],
  ])('a task killed %s resumes and completes without paying any step twice', async (_when, killWhen) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-agent-restart-'));
    dirs.push(dir);
    const { userId, taskId, lastSeen } = await startAndKill(dir, killWhen);
    expect(lastSeen.status).toBe('running');

    const { task, receipts, usedMsat, unresolved, balances } = await resume(dir, userId, taskId);
    expect(task.status, JSON.stringify(task)).toBe('completed');
    expect(task.steps.map((s) => s.status)).toEqual(['delivered', 'delivered', 'delivered']);
    // One payment per step, never two: each step's service appears once among the receipts.
    expect(receipts.map((r) => r.serviceId).sort()).toEqual(['block-data/btc-price', 'block-data/fee-estimate', 'satoshi-jokes/joke']);
    expect(new Set(receipts.map((r) => r.evidence.paymentHash)).size).toBe(3);
    expect(unresolved).toBe(0);
    const paidMsat = receipts.reduce((sum, r) => sum + r.amountMsat + (r.feeMsat ?? 0), 0);
    expect(usedMsat).toBe(paidMsat);
    expect(task.spentMsat).toBe(paidMsat);
    expect(balances.reservedMsat).toBe(0);
  }, 60_000);
});
