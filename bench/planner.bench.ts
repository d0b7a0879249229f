/**
 * Chat request -> plan + quote: how long the built-in planner takes to turn a request into a checked
 * plan and the quote service to price it, on the sandbox market over real HTTP, through the app's own
 * service graph (server/compose.ts), as the task runner does before asking for approval. The requests
 * are the evaluation set's plannable ones (server/agent/planner/eval/cases.json), so they are written
 * the way people write. Measured on the app as it runs: the catalog refresh (at start-up and on its
 * timer) reads every fixed price ahead of any request (and with it the manifest formula prices are
 * computed from), so only a dynamic-price service, whose price depends on what is asked, still asks
 * its provider (quote endpoint and invoice) on first sight; those requests are reported apart. The truly
 * cold case, with no warm-up, is reported on its own line. Figures only; nothing is asserted. Target:
 * p50 at most 100 ms, p99 at most 300 ms, reported as ratios to those targets (below 1.0 meets them).
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
import { readEvalSet, type EvalCase } from '../server/agent/planner/eval/eval-set';
import { createBuiltinPlanner } from '../server/agent/planner/planner';
import { quoteStepFor } from '../server/agent/tasks/task-runner';
import { composeServices, type Services } from '../server/compose';
import { openDatabase } from '../server/db/client';
import { createLogger } from '../server/logger';
import { createFixedExchangeRate } from '../server/rails/rates/fixed-rate';
import { startSandbox } from '../server/sandbox/stack';

const ROUNDS = 3;
const TARGET_P50_MS = 100;
const TARGET_P99_MS = 300;

const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * p))] ?? 0;
const ms = (value: number) => `${value.toFixed(2)} ms`;

/** The app's graph on the sandbox market; `warm: false` refuses the catalog's price warm-up, to show the truly cold case. */
function graphOn(sandbox: Awaited<ReturnType<typeof startSandbox>>, database: ReturnType<typeof openDatabase>, secretsKey: Buffer, warm: boolean): Services {
  const graph: Services = composeServices({
    database,
    secretsKey,
    logger: createLogger({ level: 'silent' }),
    rates: createFixedExchangeRate(),
    providerUrls: [sandbox.marketUrl],
    sandboxWallets: sandbox,
    ...(warm ? {} : { seams: { probePrice: (r) => (r.manifestOnly ? Promise.resolve({ ok: false, reason: 'no_manifest_price' }) : graph.payments.probePrice(r)) } }),
  });
  return graph;
}

/** Plans and quotes every request once per round; the samples of each round, marked when a step's price depends on its input (dynamic). */
async function measure(graph: Services, userId: string, requests: readonly EvalCase[], rounds: number) {
  const planner = createBuiltinPlanner();
  const byRound: { ms: number; dynamic: boolean }[][] = [];
  const planOnly: number[] = [];
  let task = 0;
  for (let round = 0; round < rounds; round++) {
    const samples: { ms: number; dynamic: boolean }[] = [];
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
      samples.push({ ms: performance.now() - started, dynamic: checked.steps.some((s) => serviceOf(s)?.pricing.model === 'dynamic') });
    }
    byRound.push(samples);
  }
  return { byRound, planOnly };
}

export async function runPlannerBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-planner-bench-'));
  const sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), host: '127.0.0.1' });
  const database = openDatabase(':memory:');
  // Both graphs read the same accounts, so they share the database and the key its secrets are sealed with.
  const secretsKey = randomBytes(32);
  const graph = graphOn(sandbox, database, secretsKey, true);
  const coldGraph = graphOn(sandbox, database, secretsKey, false);
  try {
    // As the app starts: the catalog loads and the fixed prices are read ahead of any request.
    await graph.catalog.refreshAll();
    const signedUp = await graph.accounts.accounts.signUp(
      { email: 'planner-bench@example.com', password: 'bench-lantern-orchard-77', timeZone: 'UTC', displayCurrency: 'USD' },
      { ip: null, userAgent: null },
    );
    if (!signedUp.ok) throw new Error(signedUp.reason);
    const userId = signedUp.user.id;
    const requests = readEvalSet(cases).cases.filter((c) => c.expect.kind === 'plan');
    // The cold case first, so it also carries the process's own first sight (nothing compiled or connected yet).
    await coldGraph.catalog.refreshAll();
    const cold = await measure(coldGraph, userId, requests, 1);
    const running = await measure(graph, userId, requests, ROUNDS);
    const all = running.byRound.flat().map((x) => x.ms);
    const first = running.byRound[0] ?? [];
    const firstOf = (dynamic: boolean) => first.filter((x) => x.dynamic === dynamic).map((x) => x.ms);
    const p50 = percentile(all, 0.5);
    const p99 = percentile(all, 0.99);
    const coldSamples = (cold.byRound[0] ?? []).map((x) => x.ms);
    return {
      name: 'Chat request -> plan + quote (built-in planner, sandbox market)',
      lines: [
        `${requests.length} requests from the evaluation set, ${ROUNDS} rounds, on the app as it runs: the catalog refresh has read the fixed prices ahead of any request`,
        `plan + quote (${all.length} requests): p50 ${ms(p50)} (${(p50 / TARGET_P50_MS).toFixed(2)}× the ${TARGET_P50_MS} ms target), p99 ${ms(p99)} (${(p99 / TARGET_P99_MS).toFixed(2)}× the ${TARGET_P99_MS} ms target)`,
        `  first sight of each request after the refresh: p50 ${ms(percentile(first.map((x) => x.ms), 0.5))}, p99 ${ms(percentile(first.map((x) => x.ms), 0.99))}`,
        `    fixed and formula prices only (read from the warmed manifest) (${firstOf(false).length}): p50 ${ms(percentile(firstOf(false), 0.5))}, p99 ${ms(percentile(firstOf(false), 0.99))}`,
        `    with a dynamic-price step (${firstOf(true).length}): p50 ${ms(percentile(firstOf(true), 0.5))}, p99 ${ms(percentile(firstOf(true), 0.99))}; its price depends on the input, so it cannot be warmed: the quote endpoint is asked and an invoice made on first sight`,
        `truly cold, measured first, no warm-up (first sight of each service and input size, in a fresh process): p50 ${ms(percentile(coldSamples, 0.5))}, p99 ${ms(percentile(coldSamples, 0.99))}`,
        `planning alone: p50 ${ms(percentile(running.planOnly, 0.5))}, p99 ${ms(percentile(running.planOnly, 0.99))}`,
      ],
    };
  } finally {
    await graph.stop();
    await coldGraph.stop();
    database.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runPlannerBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
