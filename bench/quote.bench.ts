/**
 * How long quoting a five-step task takes, on the sandbox market over real HTTP, through the app's
 * own service graph (server/compose.ts): with cold caches (a fresh graph, so the provider's manifest
 * is fetched and every step probed) and warm ones (the same graph again within the price cache's
 * lifetime). The cold figure is compared with the slowest single-step quote, also cold: close to it
 * means the steps are probed in parallel, not one after another. Figures only; nothing is asserted.
 * Target: cold close to the slowest single probe, warm under 10 ms.
 */
import '../server/rails/nwc/websocket-global';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { composeServices } from '../server/compose';
import { openDatabase } from '../server/db/client';
import type { QuoteStepInput } from '../server/domain/quotes';
import { createLogger } from '../server/logger';
import { createFixedExchangeRate } from '../server/rails/rates/fixed-rate';
import { startSandbox } from '../server/sandbox/stack';

const COLD_ROUNDS = 15;
const WARM_ROUNDS = 300;

/** Five steps of different services, each with a valid input, as the planner would hand them over. */
const STEPS: Omit<QuoteStepInput, 'origin'>[] = [
  { stepId: 's1', serviceId: 'block-data/btc-price', serviceName: 'btc-price', providerName: 'Block Data', providerId: 'block-data', method: 'GET', path: '/v1/btc/price', input: { currency: 'USD' } },
  { stepId: 's2', serviceId: 'block-data/fee-estimate', serviceName: 'fee-estimate', providerName: 'Block Data', providerId: 'block-data', method: 'GET', path: '/v1/btc/fees', input: {} },
  { stepId: 's3', serviceId: 'satoshi-jokes/joke', serviceName: 'joke', providerName: 'Satoshi Jokes', providerId: 'satoshi-jokes', method: 'GET', path: '/v1/joke', input: { topic: 'bitcoin' } },
  { stepId: 's4', serviceId: 'skycast/weather', serviceName: 'weather', providerName: 'SkyCast', providerId: 'skycast', method: 'GET', path: '/v1/weather', input: { city: 'Paris' } },
  { stepId: 's5', serviceId: 'daily-ledger/headlines', serviceName: 'headlines', providerName: 'Daily Ledger', providerId: 'daily-ledger', method: 'GET', path: '/v1/headlines', input: { topic: 'bitcoin' } },
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
const p99 = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] ?? 0;
const ms = (value: number) => `${value.toFixed(2)} ms`;

export async function runQuoteBench(): Promise<{ name: string; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-quote-bench-'));
  const sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), host: '127.0.0.1' });
  const database = openDatabase(':memory:');
  const secretsKey = randomBytes(32);
  const graphs: ReturnType<typeof composeServices>[] = [];
  /** A fresh service graph on the same database: empty manifest and price caches. */
  const freshGraph = () => {
    const graph = composeServices({
      database,
      secretsKey,
      logger: createLogger({ level: 'silent' }),
      rates: createFixedExchangeRate(),
      providerUrls: [sandbox.marketUrl],
      sandboxWallets: sandbox,
    });
    graphs.push(graph);
    return graph;
  };
  try {
    const first = freshGraph();
    const signedUp = await first.accounts.accounts.signUp(
      { email: 'bench@example.com', password: 'bench-lantern-orchard-77', timeZone: 'UTC', displayCurrency: 'USD' },
      { ip: null, userAgent: null },
    );
    if (!signedUp.ok) throw new Error(signedUp.reason);
    const userId = signedUp.user.id;
    const steps = STEPS.map((step) => ({ ...step, origin: sandbox.marketUrl }));
    let task = 0;
    const quote = async (graph: ReturnType<typeof composeServices>, planSteps: QuoteStepInput[]) => {
      task++;
      const started = performance.now();
      const result = await graph.quotes.quotePlan({ userId, taskId: `bench-${task}`, steps: planSteps });
      const elapsed = performance.now() - started;
      if (!result.ok) throw new Error(`quote refused: ${result.reason} ${result.message}`);
      return elapsed;
    };

    const singles = new Map<string, number[]>();
    const cold: number[] = [];
    for (let round = 0; round < COLD_ROUNDS; round++) {
      for (const step of steps) {
        const samples = singles.get(step.stepId) ?? [];
        samples.push(await quote(freshGraph(), [step]));
        singles.set(step.stepId, samples);
      }
      cold.push(await quote(freshGraph(), steps));
    }
    const slowest = Math.max(...[...singles.values()].map(median));
    const warmGraph = freshGraph();
    await quote(warmGraph, steps);
    const warm: number[] = [];
    for (let round = 0; round < WARM_ROUNDS; round++) warm.push(await quote(warmGraph, steps));

    return {
      name: 'Quoting a five-step task (quotes.quotePlan on the sandbox market)',
      lines: [
        `cold caches: median ${ms(median(cold))}, p99 ${ms(p99(cold))} (${COLD_ROUNDS} fresh service graphs)`,
        `slowest single-step quote, cold: median ${ms(slowest)}; five steps take ${(median(cold) / slowest).toFixed(2)}× that (1.0 = fully parallel, 5.0 = one after another)`,
        `warm caches: median ${ms(median(warm))}, p99 ${ms(p99(warm))} (${WARM_ROUNDS} quotes; target under 10 ms)`,
      ],
    };
  } finally {
    for (const graph of graphs) await graph.stop();
    database.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = await runQuoteBench();
  for (const line of [report.name, ...report.lines]) console.log(line);
}
