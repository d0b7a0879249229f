/**
 * Chat request -> plan + quote: how long the built-in planner takes to turn a request into a checked
 * plan and the quote service to price it, on the sandbox market over real HTTP, through the app's own
 * service graph (server/compose.ts), as the task runner does before asking for approval. The requests
 * are the evaluation set's plannable ones (server/agent/planner/eval/cases.json), so they are written
 * the way people write. Figures only; nothing is asserted. Target: p50 at most 100 ms, p99 at most
 * 300 ms, reported as ratios to those targets (below 1.0 meets them).
 */
import '../server/rails/nwc/websocket-global';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { CatalogService, PlanStep } from '../shared/catalog';
import { checkChains } from '../server/agent/planner/chain';
import cases from '../server/agent/planner/eval/cases.json';
import { readEvalSet } from '../server/agent/planner/eval/eval-set';
import { createBuiltinPlanner } from '../server/agent/planner/planner';
import { quoteStepFor } from '../server/agent/tasks/task-runner';
import { composeServices } from '../server/compose';
import { openDatabase } from '../server/db/client';
import { createLogger } from '../server/logger';
import { createFixedExchangeRate } from '../server/rails/rates/fixed-rate';
import { startSandbox } from '../server/sandbox/stack';

const ROUNDS = 3;
const TARGET_P50_MS = 100;
const TARGET_P99_MS = 300;

const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))] ?? 0;
const ms = (value: number) => `${value.toFixed(2)} ms`;

export async function runPlannerBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-planner-bench-'));
  const sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), host: '127.0.0.1' });
  const database = openDatabase(':memory:');
  const graph = composeServices({
    database,
    secretsKey: randomBytes(32),
    logger: createLogger({ level: 'silent' }),
    rates: createFixedExchangeRate(),
    providerUrls: [sandbox.marketUrl],
    sandboxWallets: sandbox,
  });
  try {
    await graph.catalog.refreshAll();
    const signedUp = await graph.accounts.accounts.signUp(
      { email: 'planner-bench@example.com', password: 'bench-lantern-orchard-77', timeZone: 'UTC', displayCurrency: 'USD' },
      { ip: null, userAgent: null },
    );
    if (!signedUp.ok) throw new Error(signedUp.reason);
    const userId = signedUp.user.id;
    const set = readEvalSet(cases);
    const requests = set.cases.filter((c) => c.expect.kind === 'plan');
    const planner = createBuiltinPlanner();
    let task = 0;
    const samples: number[] = [];
    const cold: number[] = [];
    const planOnly: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of requests) {
        task++;
        const started = performance.now();
        const catalog = graph.catalog.servicesFor(userId);
        const planned = await planner.plan({ text: c.request, catalog, nowMs: Date.now(), ...(c.previous ? { previous: c.previous } : {}) });
        if (!planned.ok || planned.result.kind !== 'plan') continue;
        const byId = new Map(catalog.map((s) => [s.id, s]));
        const serviceOf = (s: PlanStep): CatalogService | undefined => byId.get(s.serviceId);
        const checked = checkChains(planned.result.plan.steps, serviceOf);
        if (!checked.ok) continue;
        planOnly.push(performance.now() - started);
        const steps = checked.steps.map((s) => quoteStepFor(s, serviceOf(s) as CatalogService, checked.steps, serviceOf));
        const quoted = await graph.quotes.quotePlan({ userId, taskId: `bench-${task}`, steps });
        if (!quoted.ok) throw new Error(`quote refused for "${c.request}": ${quoted.reason} ${quoted.message}`);
        (round === 0 ? cold : samples).push(performance.now() - started);
      }
    }
    const p50 = percentile(samples, 0.5);
    const p99 = percentile(samples, 0.99);
    return {
      name: 'Chat request -> plan + quote (built-in planner, sandbox market)',
      lines: [
        `${requests.length} requests from the evaluation set; the first round fills the price cache (cold), ${ROUNDS - 1} more are measured warm`,
        `cold (first sight of each service and input size): p50 ${ms(percentile(cold, 0.5))}, p99 ${ms(percentile(cold, 0.99))}`,
        `plan + quote, warm (${samples.length} requests): p50 ${ms(p50)} (${(p50 / TARGET_P50_MS).toFixed(2)}× the ${TARGET_P50_MS} ms target), p99 ${ms(p99)} (${(p99 / TARGET_P99_MS).toFixed(2)}× the ${TARGET_P99_MS} ms target)`,
        `planning alone: p50 ${ms(percentile(planOnly, 0.5))}, p99 ${ms(percentile(planOnly, 0.99))}`,
      ],
    };
  } finally {
    await graph.stop();
    database.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runPlannerBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
