/**
 * A SIGKILL of the server after the webhook, at each point of the treasury's payment (before it is
 * sent, while it is in flight, after it was answered but before the top-up was marked funded), then a
 * restart on the same data: the top-up ends funded once, the wallet (read over NWC) and the ledger up
 * by exactly the quoted sats, the ledger credit written once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { WELCOME_BALANCE_MSAT } from './agent-support';

const childPath = join(import.meta.dirname, 'topup-restart.child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { child: ChildProcess; lines: AsyncIterable<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (!child.stdout) throw new Error('no stdout');
  return { child, lines: createInterface({ input: child.stdout }) };
}

interface Started {
  userId: string;
  topUpId: string;
  amountMsat: number;
}

async function startAndKill(dir: string, point: string): Promise<Started> {
  const { child, lines } = run(['start', dir, point]);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let started: Started | null = null;
  for await (const line of lines) {
    const parsed = JSON.parse(line) as Partial<Started> & { at?: string };
    if (parsed.userId && parsed.topUpId && parsed.amountMsat) started = parsed as Started;
    if (parsed.at === point) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  if (!started) throw new Error('the child never created the top-up');
  return started;
}

describe('top-up funding survives a SIGKILL', () => {
  it.each(['before', 'during', 'after'])('killed %s the treasury payment, the restarted server funds it exactly once', async (point) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-topup-restart-'));
    dirs.push(dir);
    const { userId, topUpId, amountMsat } = await startAndKill(dir, point);
    expect(amountMsat).toBe(9_700_000);
    const { child, lines } = run(['resume', dir, userId, topUpId]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let result: { status: string; walletMsat: number; availableMsat: number; ledgerTransfers: number } | null = null;
    for await (const line of lines) result = JSON.parse(line) as typeof result;
    expect(await exited).toBe(0);
    expect(result).toEqual({
      status: 'funded',
      walletMsat: WELCOME_BALANCE_MSAT + amountMsat,
      availableMsat: WELCOME_BALANCE_MSAT + amountMsat,
      // creditUserFunding's two legs (stripe -> treasury -> the person), once.
      ledgerTransfers: 2,
    });
  }, 90_000);
});
