// `npm run bench`: runs every benchmark one after another (so they do not compete for the 2 cores), each
// in a fresh child process (so one bench's heap, timers and caches do not slow the next: the webhook
// figure fell from ~3,000/s alone to ~800/s after the million-entry ledger bench in the same process),
// prints the figures and writes them to docs/benchmarks.md. Benchmarks report ratios against a baseline
// or target measured in the same run; nothing here asserts timing.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

interface BenchReport {
  name: string;
  lines: string[];
}

const benches: { file: string; run: () => Promise<BenchReport> }[] = [
  { file: 'payments.bench.ts', run: async () => (await import('./payments.bench')).runPaymentsBench() },
  { file: 'governance.bench.ts', run: async () => (await import('./governance.bench')).runGovernanceBench() },
  { file: 'instances.bench.ts', run: async () => (await import('./instances.bench')).runInstancesBench() },
  { file: 'quote.bench.ts', run: async () => (await import('./quote.bench')).runQuoteBench() },
  { file: 'webhooks.bench.ts', run: async () => (await import('./webhooks.bench')).runWebhooksBench() },
  { file: 'planner.bench.ts', run: async () => (await import('./planner.bench')).runPlannerBench() },
  { file: 'mcp.bench.ts', run: async () => (await import('./mcp.bench')).runMcpBench() },
  { file: 'client-bundle.bench.ts', run: async () => (await import('./client-bundle.bench')).runClientBundleBench() },
];

const only = process.argv.indexOf('--only');
if (only >= 0) {
  // Child: run one bench and hand its report to the parent as the last line of stdout.
  const bench = benches.find((b) => b.file === process.argv[only + 1]);
  if (!bench) throw new Error(`no bench named ${process.argv[only + 1]}`);
  const report = await bench.run();
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
  process.exit(0);
}

const reports: BenchReport[] = [];
for (const bench of benches) {
  console.log(`Running ${bench.file}…`);
  const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--only', bench.file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(output.trim().split('\n').at(-1) ?? '') as BenchReport;
  for (const line of report.lines) console.log(`  ${line}`);
  reports.push(report);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const markdown = [
  '# Benchmarks',
  '',
  'Written by `npm run bench`; each figure is measured in the same run as its baseline or target, so',
  'compare the ratios, not the absolute times, across machines.',
  '',
  `Last run: ${new Date().toISOString().slice(0, 10)} on ${machine}.`,
  '',
  // Each report as printed, so its tables and wrapped explanations keep their shape.
  ...reports.flatMap((report) => [`## ${report.name}`, '', '```text', ...report.lines, '```', '']),
].join('\n');
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), markdown);
console.log('Wrote docs/benchmarks.md');
