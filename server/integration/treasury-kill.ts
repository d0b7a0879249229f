// The SIGKILL tests of the treasury's payments (top-up funding, dispute refunds), both sides.
// Child side: a treasury wallet that stops at a chosen point of pay_invoice, prints {"at": point} and
// waits forever for the parent's SIGKILL: `before` (pay_invoice not sent), `during` (sent, its answer
// not yet read) or `after` (answered, the outcome not yet recorded).
// Parent side: runs a child script, reads its JSON lines and kills it at the point.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { OpenWallet, WalletPort } from '../domain/ports/wallet';
import { nwcWalletOpener } from '../rails/nwc/nwc-wallet';

export const KILL_POINTS = ['before', 'during', 'after'] as const;
/**
 * The killed process's leases on its refund or top-up (compose.ts `leaseTtlMs`) run out a second after
 * the kill, so the restarted process, a new holder, takes the item over at once rather than in 30 s.
 */
export const RESTART_LEASE_TTL_MS = 1_000;

export const printLine = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const forever = () => new Promise<never>(() => {});

export function stoppingAt(point: string) {
  return (treasury: WalletPort): WalletPort => ({
    getInfo: () => treasury.getInfo(),
    getBalance: () => treasury.getBalance(),
    getBudget: () => treasury.getBudget(),
    makeInvoice: (request) => treasury.makeInvoice(request),
    lookupInvoice: (request) => treasury.lookupInvoice(request),
    listTransactions: (request) => treasury.listTransactions(request),
    close: () => treasury.close(),
    async payInvoice(invoice) {
      if (point === 'before') {
        printLine({ at: point });
        return forever();
      }
      const paying = treasury.payInvoice(invoice);
      if (point === 'during') {
        printLine({ at: point });
        return forever();
      }
      await paying;
      printLine({ at: point });
      return forever();
    },
  });
}

/** The stack's wallet opener (sandbox relay policy for own wallets) with the treasury (only) wrapped. */
export function wrappingTreasury(treasuryUrl: string | null, wrap: (treasury: WalletPort) => WalletPort): OpenWallet {
  const open = nwcWalletOpener({ allowLoopback: true });
  return (url, origin) => {
    const opened = open(url, origin);
    if (!opened.ok || url !== treasuryUrl) return opened;
    return { ok: true, wallet: wrap(opened.wallet) };
  };
}

export function runChild(childPath: string, args: string[]): { child: ChildProcess; lines: AsyncIterable<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (!child.stdout) throw new Error('no stdout');
  return { child, lines: createInterface({ input: child.stdout }) };
}

/** Runs the child until it prints {"at": point}, SIGKILLs it, and returns the last other line it printed. */
export async function startAndKill<T extends object>(childPath: string, args: string[], point: string): Promise<T> {
  const { child, lines } = runChild(childPath, args);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let started: T | null = null;
  for await (const line of lines) {
    const parsed = JSON.parse(line) as T & { at?: string };
    if (parsed.at === point) {
      child.kill('SIGKILL');
      break;
    }
    if (parsed.at === undefined) started = parsed;
  }
  await exited;
  if (!started) throw new Error('the child stopped before saying what it started');
  return started;
}

/** Runs the child to its end and returns its last line and exit code. */
export async function runToEnd<T>(childPath: string, args: string[]): Promise<{ code: number | null; last: T | null }> {
  const { child, lines } = runChild(childPath, args);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let last: T | null = null;
  for await (const line of lines) last = JSON.parse(line) as T;
  return { code: await exited, last };
}
