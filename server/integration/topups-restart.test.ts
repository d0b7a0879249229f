/**
 * A SIGKILL of the server after the webhook, at each point of the treasury's payment (before it is
 * sent, while it is in flight, after it was answered but before the top-up was marked funded), then a
 * restart on the same data: the top-up ends funded once, the wallet (read over NWC) and the ledger up
 * by exactly the quoted sats, the ledger credit written once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WELCOME_BALANCE_MSAT } from './agent-support';
import { KILL_POINTS, runToEnd, startAndKill } from './treasury-kill';

const childPath = join(import.meta.dirname, 'topup-restart.child.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  userId: string;
  topUpId: string;
  amountMsat: number;
}

describe('top-up funding survives a SIGKILL', () => {
  it.each(KILL_POINTS)('killed %s the treasury payment, the restarted server funds it exactly once', async (point) => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-topup-restart-'));
    dirs.push(dir);
    const { userId, topUpId, amountMsat } = await startAndKill<Started>(childPath, ['start', dir, point], point);
    expect(amountMsat).toBe(9_700_000);
    const { code, last } = await runToEnd(childPath, ['resume', dir, userId, topUpId]);
    expect(code).toBe(0);
    expect(last).toEqual({
      status: 'funded',
      walletMsat: WELCOME_BALANCE_MSAT + amountMsat,
      availableMsat: WELCOME_BALANCE_MSAT + amountMsat,
      // creditUserFunding's two legs (stripe -> treasury -> the person), once.
      ledgerTransfers: 2,
    });
  }, 90_000);
});
