/**
 * A SIGKILL of the server during a dispute's automatic refund, at each point of the treasury's
 * payment (before it is sent, while it is in flight, after it was answered but before the refund was
 * posted), then a restart on the same data: the dispute ends refunded once, the person's wallet (read
 * over NWC) back at its welcome balance and not above, the ledger credit written once, the month's
 * usage back to zero.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WELCOME_BALANCE_MSAT } from './agent-support';
import { KILL_POINTS, runToEnd, startAndKill } from './treasury-kill';

const childPath = join(import.meta.dirname, 'dispute-restart.child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a dispute refund survives a SIGKILL', () => {
  it.each(KILL_POINTS)('killed %s the treasury payment, the restarted server refunds exactly once', async (point) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-dispute-restart-'));
    dirs.push(dir);
    const { userId } = await startAndKill<{ userId: string }>(childPath, ['start', dir, point], point);
    const { code, last } = await runToEnd<{ refundMsat: number | null }>(childPath, ['resume', dir, userId]);
    expect(code).toBe(0);
    expect(last?.refundMsat).toBeGreaterThan(0);
    expect(last).toEqual({
      status: 'refunded',
      refundMsat: last?.refundMsat,
      walletBalance: { state: 'known', balanceMsat: WELCOME_BALANCE_MSAT },
      availableMsat: WELCOME_BALANCE_MSAT,
      monthUsedMsat: 0,
      refundCredits: 1,
    });
  }, 90_000);
});
