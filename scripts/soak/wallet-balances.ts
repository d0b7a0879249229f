/**
 * What each person's wallet says it holds, asked as any NIP-47 client would: `get_balance` through
 * @getalby/sdk's NWCClient, with the connection strings the sandbox writes to connections.json. Asked
 * after every server stopped, of the sandbox started alone on the run's data (quietNwcBalances): with
 * no app running, nothing moves money while the wallets are read (a refund retry paid by a server
 * between this read and the ledger's would look like a difference).
 */
import '../../server/sandbox/websocket-global';
import { NWCClient } from '@getalby/sdk/nwc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../server/sandbox/stack';
import { z } from 'zod';
import { userNode } from './checks';

const connectionsSchema = z.object({ wallets: z.record(z.string(), z.string()) });

const BALANCE_TIMEOUT_MS = 15_000;

async function balanceOf(connection: string): Promise<number | null> {
  const client = new NWCClient({ nostrWalletConnectUrl: connection });
  try {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), BALANCE_TIMEOUT_MS));
    const answer = await Promise.race([client.getBalance().then((b) => b.balance), timeout]);
    return typeof answer === 'number' ? answer : null;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** Wallet name -> NWC connection string, as the sandbox in `<dataDir>/sandbox` wrote them. */
export function sandboxConnections(dataDir: string): Record<string, string> {
  return connectionsSchema.parse(JSON.parse(readFileSync(join(dataDir, 'sandbox', 'connections.json'), 'utf8'))).wallets;
}

/** Balance in msat per user id; null for a user whose wallet did not answer (or has no connection). */
export async function nwcBalances(dataDir: string, userIds: readonly string[]): Promise<Map<string, number | null>> {
  const wallets = sandboxConnections(dataDir);
  const balances = new Map<string, number | null>();
  // A few at a time: each client opens its own relay connection.
  for (let i = 0; i < userIds.length; i += 5) {
    const batch = userIds.slice(i, i + 5);
    const answers = await Promise.all(batch.map((id) => (wallets[userNode(id)] ? balanceOf(wallets[userNode(id)] as string) : Promise.resolve(null))));
    batch.forEach((id, index) => balances.set(id, answers[index] ?? null));
  }
  return balances;
}

/** nwcBalances of the sandbox in `<dataDir>/sandbox`, started alone with its relay on `relayPort` (the port its connection strings name). */
export async function quietNwcBalances(dataDir: string, relayPort: number, userIds: readonly string[]): Promise<Map<string, number | null>> {
  const sandbox = await startSandbox({ dataDir: join(dataDir, 'sandbox'), host: '127.0.0.1', ports: { relay: relayPort } });
  try {
    return await nwcBalances(dataDir, userIds);
  } finally {
    await sandbox.close();
  }
}
