// Budget decisions with several instances on one PostgreSQL database (issue 16), beside the SQLite
// figure measured in the same run. A decision here is governance.bench.ts's whole write-ahead: the
// policy read (decideSpend) and the payment's group-committed write-ahead (the budget-checked
// reservation and the payment row), from CALLERS concurrent callers per instance. Each instance is its own process
// with its own connection, as several Steward servers behind a load balancer are; they share the
// database and so its writer's lock (server/db/postgres/connection.ts: one advisory lock per schema,
// SQLite's single-writer model), which is what the 2- and 3-instance lines measure. Figures are
// aggregate decisions per second over the wall time from the moment every instance was told to go
// until the last finished; p99 is the worst instance's. Skipped, saying why, without TEST_DATABASE_URL.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { testDatabaseUrl } from '../server/env';
import { CALLERS, decisions, fmt, openStack, type Figures } from './governance.bench';

/** Decisions per line, shared among the instances of that line. */
const DECISIONS = 3_000;
const WARM_UP = 200;
const USERS = 100;
const LIMIT_MSAT = 2_000_000_000;
const INSTANCE_COUNTS = [1, 2, 3] as const;

type WorkerFigures = Omit<Figures, 'outcomes'> & { outcomes: Record<string, number> };

/** Child: one instance. Warms up, says ready, waits for "go", makes its decisions, prints its figures. */
async function runWorker(url: string, offset: number, count: number): Promise<void> {
  const stack = openStack(url, USERS, LIMIT_MSAT, false);
  stack.made = offset + count;
  await decisions(stack, WARM_UP, CALLERS, 'write-ahead');
  stack.made = offset;
  process.stdout.write('ready\n');
  await once(createInterface({ input: process.stdin }), 'line');
  const figures = await decisions(stack, count, CALLERS, 'write-ahead');
  await stack.close();
  process.stdout.write(`${JSON.stringify({ ...figures, outcomes: Object.fromEntries(figures.outcomes) })}\n`);
}

function startWorker(url: string, offset: number, count: number) {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--worker', url, String(offset), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('a bench instance ended without answering');
    return line.value;
  };
  return { child, next };
}

/** `instances` processes share DECISIONS decisions on the database at `url`; their aggregate figures. */
async function onPostgres(url: string, instances: number, round: number): Promise<Figures> {
  const share = Math.ceil(DECISIONS / instances);
  const workers = Array.from({ length: instances }, (_, n) => startWorker(url, (round * 10 + n) * 1_000_000, share));
  for (const worker of workers) if ((await worker.next()) !== 'ready') throw new Error('a bench instance did not start');
  const started = performance.now();
  for (const worker of workers) worker.child.stdin.end('go\n');
  const results = await Promise.all(workers.map(async (worker) => JSON.parse(await worker.next()) as WorkerFigures));
  const elapsedMs = performance.now() - started;
  const outcomes = new Map<string, number>();
  for (const result of results) for (const [name, n] of Object.entries(result.outcomes)) outcomes.set(name, (outcomes.get(name) ?? 0) + n);
  return {
    perSecond: (share * instances) / (elapsedMs / 1000),
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    cpuUs: results.reduce((sum, r) => sum + r.cpuUs, 0) / results.length,
    outcomes,
  };
}

function figureLine(label: string, f: Figures, sqlite: Figures | null): string {
  const ratio = sqlite === null ? '' : ` (${(f.perSecond / sqlite.perSecond).toFixed(2)}x SQLite)`;
  const outcomes = [...f.outcomes.entries()].map(([name, n]) => `${name} ${n}`).join(', ');
  return `${label}: ${fmt(f.perSecond)} decisions/s${ratio}, p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms, CPU ${f.cpuUs.toFixed(0)} µs per decision; ${outcomes}`;
}

async function withDatabase<T>(serverUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const name = `steward_bench_${Date.now()}_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await use(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function postgresLines(serverUrl: string, sqlite: Figures): Promise<string[]> {
  return withDatabase(serverUrl, async (url) => {
    // Budgets saved and funded once, by this process; the instances only decide.
    await openStack(url, USERS, LIMIT_MSAT).close();
    const lines: string[] = [];
    for (const [round, instances] of INSTANCE_COUNTS.entries()) {
      lines.push(figureLine(`PostgreSQL, ${instances} instance${instances === 1 ? '' : 's'}`, await onPostgres(url, instances, round + 1), sqlite));
    }
    return lines;
  });
}

export async function runInstancesBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-instances-bench-'));
  try {
    const loadBefore = loadavg()[0] ?? 0;
    const stack = openStack(join(dir, 'sqlite.db'), USERS, LIMIT_MSAT);
    await decisions(stack, WARM_UP, CALLERS, 'write-ahead');
    const sqlite = await decisions(stack, DECISIONS, CALLERS, 'write-ahead');
    await stack.close();
    const serverUrl = testDatabaseUrl();
    const postgres = serverUrl === null ? ['PostgreSQL lines skipped: TEST_DATABASE_URL is not set (scripts/postgres/test-server.sh start prints one).'] : await postgresLines(serverUrl, sqlite);
    return {
      name: 'Budget decisions with 1, 2 and 3 instances on one PostgreSQL, beside SQLite',
      lines: [
        `Budget decisions with their payment row (decideSpend + the group-committed write-ahead: the governance bench's whole write-aheads), ${fmt(DECISIONS)} per line`,
        `from ${CALLERS} callers per instance, ${USERS} budgets; PostgreSQL instances are processes with a connection each, on one database.`,
        `Load average (1 min) ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after, on this ${availableParallelism()}-core machine.`,
        figureLine('SQLite file, 1 instance', sqlite, null),
        ...postgres,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const worker = process.argv.indexOf('--worker');
if (worker >= 0) {
  const [url, offset, count] = process.argv.slice(worker + 1);
  await runWorker(url ?? '', Number(offset), Number(count));
  process.exit(0);
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await runInstancesBench();
  console.log(`# ${name}\n${lines.join('\n')}`);
}
