// Several Steward instances on one PostgreSQL database and one sandbox, for the multi-instance tests:
// a fresh database on TEST_DATABASE_URL's server (dropped at the end), the embedded sandbox (relay,
// Lightning network, NWC wallets, Stripe) and a short-token provider in this process, and N instance
// processes (instance.child.ts), each with its own connection, background loops and HTTP server.
// The sandbox's Stripe posts its webhooks to a fan-out here that hands each one to several instances
// at the same moment, as a load balancer retrying on another instance, or Stripe redelivering, can.
// This process also keeps a graph of its own on the database (never started: no loops, no server)
// to sign people up and read what the instances did.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createDatabaseOn } from '../../scripts/postgres/test-database';
import { composeServices } from '../compose';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { createLogger } from '../logger';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';
import { startShortTokenProvider, type ShortTokenProvider } from './support/short-token-provider';

const CHILD = join(import.meta.dirname, 'instance.child.ts');
const IN_MEMORY_DIR = '/dev/shm';

export interface Instance {
  url: string;
  child: ChildProcess;
  /** Sends a command and resolves with the instance's answer to it. */
  send<T extends object>(command: object): Promise<T>;
  /** Resolves with the first line without an id (not an answer) that `match` accepts. */
  nextEvent(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGKILL: no shutdown hook, nothing flushed. */
  kill(): Promise<void>;
}

export interface Delivery {
  eventType: string | null;
  statuses: number[];
}

export interface Cluster {
  databaseUrl: string;
  sandbox: RunningSandbox;
  provider: ShortTokenProvider;
  instances: Instance[];
  /** This process's graph on the shared database: sign-ups and reads only. */
  setup: ReturnType<typeof composeServices>;
  database: DatabaseHandle;
  /** Every webhook the sandbox sent, with what each instance answered to its copy. */
  deliveries: Delivery[];
  /** Where each webhook goes from now on: all of these instances at once. */
  deliverWebhooksTo(instances: readonly Instance[]): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Receives each webhook and posts the same bytes and signature to every target at once. */
async function startFanOut(deliveries: Delivery[]) {
  let targets: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = { 'content-type': 'application/json', 'stripe-signature': String(req.headers['stripe-signature'] ?? '') };
      const answers = await Promise.all(targets.map((target) => fetch(`${target}/api/stripe/webhook`, { method: 'POST', headers, body }).then((r) => r.status, () => 0)));
      const type = (JSON.parse(body) as { type?: string }).type ?? null;
      deliveries.push({ eventType: type, statuses: answers });
      res.writeHead(answers.every((status) => status >= 200 && status < 300) ? 200 : 500).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    sendTo(urls: string[]) {
      targets = urls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts one instance.child.ts process with `config` (its schema is there) and resolves once it serves.
 * Its stderr goes to this process's, or to the file descriptor `stderr`.
 */
export function startInstance(config: object, stderr: 'inherit' | number = 'inherit'): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { stdio: ['pipe', 'pipe', stderr] });
  if (!child.stdout || !child.stdin) throw new Error('no pipes to the instance');
  const stdin = child.stdin;
  const waiting = new Map<number, (line: Record<string, unknown>) => void>();
  const watchers: { match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // not one of ours (a library writing to stdout)
    }
    if (typeof line.id === 'number') return waiting.get(line.id)?.(line);
    const index = watchers.findIndex((watcher) => watcher.match(line));
    if (index >= 0) watchers.splice(index, 1)[0]?.resolve(line);
  });
  const nextEvent = (match: (line: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((resolve) => watchers.push({ match, resolve }));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the instance exited (${code}) before it was ready`)));
    void nextEvent((line) => typeof line.ready === 'string').then((line) =>
      resolve({
        url: String(line.ready),
        child,
        nextEvent,
        send<T extends object>(command: object) {
          const id = nextId++;
          return new Promise<T>((answered, failed) => {
            waiting.set(id, (reply) => (typeof reply.error === 'string' ? failed(new Error(reply.error)) : answered(reply as T)));
            stdin.write(`${JSON.stringify({ ...command, id })}\n`);
          });
        },
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      }),
    );
  });
}

/** Stops an instance as main.ts stops on SIGTERM; true when it exited 0 by itself within `timeoutMs`. */
export async function stopInstance(instance: Instance, timeoutMs = 10_000): Promise<boolean> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return instance.child.exitCode === 0;
  const exited = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
  instance.child.stdin?.end();
  // A graceful stop that hangs (a wallet call left waiting) must not hold the test up.
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
  return instance.child.exitCode === 0;
}

export async function startCluster(serverUrl: string, options: { instances: number; providerServices: number; priceMsat: number }): Promise<Cluster> {
  // The sandbox's SQLite commits every invoice, payment and NWC request with an fsync; in memory
  // (tmpfs, where there is one) those cost nothing, and its one event loop keeps up with three instances.
  const dir = mkdtempSync(join(existsSync(IN_MEMORY_DIR) ? IN_MEMORY_DIR : tmpdir(), 'steward-multi-'));
  const created = await createDatabaseOn(serverUrl, `steward_multi_${Date.now()}_${process.pid}`);
  const deliveries: Delivery[] = [];
  const fanOut = await startFanOut(deliveries);
  const sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), host: '127.0.0.1', stripeWebhookUrl: fanOut.url });
  const provider = await startShortTokenProvider(sandbox.network, { services: options.providerServices, priceMsat: options.priceMsat });
  const secretsKey = randomBytes(32);
  // Applies the migrations before the instances start (they would agree on it anyway: open.ts locks).
  const database = openDatabase(created.url);
  const setup = composeServices({ database, secretsKey, logger: createLogger({ level: 'silent' }), rates: createFixedExchangeRate(), providerUrls: [], sandboxWallets: sandbox });
  const config = {
    databaseUrl: created.url,
    secretsKeyHex: secretsKey.toString('hex'),
    providerUrls: [provider.url],
    stripeUrl: sandbox.stripeUrl,
    stripeWebhookSecret: sandbox.stripeWebhookSecret,
    treasuryUrl: sandbox.wallets.treasury ?? '',
  };
  const instances = await Promise.all(Array.from({ length: options.instances }, () => startInstance(config)));
  return {
    databaseUrl: created.url,
    sandbox,
    provider,
    instances,
    setup,
    database,
    deliveries,
    deliverWebhooksTo: (targets) => fanOut.sendTo(targets.map((instance) => instance.url)),
    async close() {
      await Promise.all(instances.map(stopInstance));
      await setup.stop();
      database.close();
      await provider.close();
      await sandbox.close();
      await fanOut.close();
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
