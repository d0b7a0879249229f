/**
 * What governance costs per request. In one run, on the same sandbox market, the same request and
 * the same NWC wallet, times a governed purchase (guarded fetch, gate, budget-checked reservation,
 * write-ahead row, pay, preimage check, post, deliver, sealed vault) against `fetchWithL402` from
 * @getalby/lightning-tools (pays whatever it is asked, keeps no record): once for a paid request and
 * once for a request served from a cached token. After warm-up rounds, the two sides alternate; it
 * reports median latency and median process CPU per request, and their ratios. It asserts nothing
 * about timing. Target: at most 10% over the baseline.
 *
 * Run alone: `node_modules/.bin/tsx bench/payments.bench.ts`.
 */
import '../server/rails/nwc/websocket-global';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { fetchWithL402 } from '@getalby/lightning-tools/402/l402';
import { NWCClient } from '@getalby/sdk/nwc';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../shared/money';
import { creditUserFunding, type PurchaseRequest } from '../server/domain/payments';
import { testAuthorization } from '../server/domain/payments/test-fakes';
import { openPaymentsHarness } from '../server/integration/payments-harness';
import { startSandbox } from '../server/sandbox/stack';

const PAID_ROUNDS = 50;
const CACHED_ROUNDS = 200;
const PAID_WARMUP_ROUNDS = 3;
const CACHED_WARMUP_ROUNDS = 20;
const USER = 'bench';
const FUNDS_MSAT = 100_000_000;

interface Sample {
  wallMs: number;
  /** CPU time of the whole process (sandbox market, relay and wallets included: equal on both sides). */
  cpuMs: number;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(fn: () => Promise<void>): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await fn();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs both sides `rounds` times, interleaved and alternating which goes first, so drift in the
 * machine's load and garbage collections fall on both alike. `prepare` runs untimed before each round.
 */
async function interleaved(
  rounds: number,
  governed: { prepare?: () => void; run: () => Promise<void> },
  baseline: { prepare?: () => void; run: () => Promise<void> },
): Promise<{ governed: Sample[]; baseline: Sample[] }> {
  const samples = { governed: [] as Sample[], baseline: [] as Sample[] };
  const one = async (side: 'governed' | 'baseline') => {
    const { prepare, run } = side === 'governed' ? governed : baseline;
    prepare?.();
    samples[side].push(await measure(run));
  };
  for (let i = 0; i < rounds; i++) {
    const [first, second] = i % 2 === 0 ? (['governed', 'baseline'] as const) : (['baseline', 'governed'] as const);
    await one(first);
    await one(second);
  }
  return samples;
}

const ratioCell = (governed: number, baseline: number) => {
  const ratio = governed / baseline;
  const overhead = (ratio - 1) * 100;
  return `${ratio.toFixed(3)} (${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)}%)`;
};

function describe(label: string, samples: { governed: Sample[]; baseline: Sample[] }): string[] {
  const wall = (side: Sample[]) => median(side.map((s) => s.wallMs));
  const cpu = (side: Sample[]) => median(side.map((s) => s.cpuMs));
  const [gw, bw, gc, bc] = [wall(samples.governed), wall(samples.baseline), cpu(samples.governed), cpu(samples.baseline)];
  return [
    `| ${label}, latency | ${gw.toFixed(2)} ms | ${bw.toFixed(2)} ms | ${ratioCell(gw, bw)} | ${samples.governed.length} |`,
    `| ${label}, CPU | ${gc.toFixed(2)} ms | ${bc.toFixed(2)} ms | ${ratioCell(gc, bc)} | ${samples.governed.length} |`,
  ];
}

export async function runPaymentsBench(): Promise<{ name: string; lines: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-payments-'));
  const sandbox = await startSandbox({ dataDir });
  const nwcUrl = await sandbox.createUserWallet(USER, { initialBalanceMsat: FUNDS_MSAT });
  const app = openPaymentsHarness({ dbPath: join(dataDir, 'app.db'), marketUrl: sandbox.marketUrl, userNwcUrl: nwcUrl, secretsKeyHex: randomBytes(32).toString('hex') });
  const baselineWallet = new NWCClient({ nostrWalletConnectUrl: nwcUrl });
  try {
    if (!creditUserFunding(app.ledger, { userId: USER, amountMsat: msat(FUNDS_MSAT), idempotencyKey: 'bench-funding' }).ok) {
      throw new Error('could not credit the bench user');
    }
    const url = new URL('/v1/joke?topic=bitcoin', sandbox.marketUrl).href;
    let step = 0;
    const governedRequest = (): PurchaseRequest => ({
      userId: USER,
      timeZone: 'UTC',
      idempotencyKey: `bench-${++step}`,
      task: null,
      serviceId: 'satoshi-jokes/joke',
      service: 'joke',
      providerId: 'satoshi-jokes',
      request: { url, method: 'GET' },
      authorization: testAuthorization({ approvedMaxMsat: msat(1_000), rate: btcUsdRateFromCentsPerBtc(usdCents(10_000_000)) }),
    });
    const forgetTokens = () => app.database.sqlite.prepare('DELETE FROM l402_tokens').run();

    const governedPaid = async () => {
      const outcome = await app.service.purchase(governedRequest());
      if (outcome.kind !== 'delivered' || outcome.via !== 'paid') throw new Error(`governed paid round: ${outcome.kind}`);
    };
    const governedCached = async () => {
      const outcome = await app.service.purchase(governedRequest());
      if (outcome.kind !== 'delivered' || outcome.via !== 'cached_token') throw new Error(`governed cached round: ${outcome.kind}`);
    };
    let credentials: { header: string; value: string } | undefined;
    const baselinePaid = async () => {
      const response = await fetchWithL402(url, {}, { wallet: baselineWallet });
      await response.text();
      if (response.status !== 200 || !response.payment?.paid) throw new Error(`baseline paid round: ${response.status}`);
      credentials = response.payment.credentials;
    };
    const baselineCached = async () => {
      const response = await fetchWithL402(url, {}, { wallet: baselineWallet, ...(credentials ? { credentials } : {}) });
      await response.text();
      if (response.status !== 200 || response.payment?.paid) throw new Error(`baseline cached round: ${response.status}`);
    };

    // Forgetting the vault's token (untimed) makes every governed round pay, as every baseline round does.
    const paidSides = [{ prepare: forgetTokens, run: governedPaid }, { run: baselinePaid }] as const;
    await interleaved(PAID_WARMUP_ROUNDS, ...paidSides);
    const paid = await interleaved(PAID_ROUNDS, ...paidSides);
    forgetTokens();
    await governedPaid(); // leaves a token in the vault for the cached rounds
    const cachedSides = [{ run: governedCached }, { run: baselineCached }] as const;
    await interleaved(CACHED_WARMUP_ROUNDS, ...cachedSides);
    const cached = await interleaved(CACHED_ROUNDS, ...cachedSides);
    app.ledger.checkInvariants();

    return {
      name: 'Governed L402 payments vs fetchWithL402',
      lines: [
        'Same sandbox market (joke, 1 sat), same request, same NWC wallet, one run, after warm-up rounds;',
        'medians per request, rounds interleaved with alternating order. CPU is the whole process (the',
        'in-process sandbox market, relay and wallets included), so the difference is what governance adds.',
        'Governed = SSRF-guarded fetch + gate + budget-checked reservation + write-ahead row + pay + preimage',
        'check + post + deliver + sealed vault. Baseline = `fetchWithL402` from @getalby/lightning-tools',
        '(pays what it is asked, keeps no record).',
        '',
        '| request | governed | baseline | ratio (overhead) | rounds |',
        '|---|---|---|---|---|',
        ...describe('paid (new token)', paid),
        ...describe('cached token', cached),
        '',
        'Target: governance costs at most 10% over the baseline (ratio <= 1.10).',
      ],
    };
  } finally {
    baselineWallet.close();
    app.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { name, lines } = await runPaymentsBench();
  console.log(`# ${name}\n${lines.join('\n')}`);
}
