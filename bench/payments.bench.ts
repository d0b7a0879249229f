/**
 * What governance costs per request. In one run, on the same sandbox market and the same NWC wallet,
 * times a governed purchase (gate, budget-checked reservation, write-ahead row, pay, post, deliver,
 * vault) against `fetchWithL402` from @getalby/lightning-tools (pays whatever it is asked, keeps no
 * record): once for a paid request and once for a request served from a cached token. Reports the
 * medians and their ratio; it asserts nothing about timing. Target: at most 10% over the baseline.
 */
import '../server/rails/nwc/websocket-global';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetchWithL402 } from '@getalby/lightning-tools/402/l402';
import { NWCClient } from '@getalby/sdk/nwc';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../shared/money';
import { creditUserFunding, type PurchaseRequest } from '../server/domain/payments';
import { openPaymentsHarness } from '../server/integration/payments-harness';
import { startSandbox } from '../server/sandbox/stack';

const PAID_ROUNDS = 15;
const CACHED_ROUNDS = 40;
const WARMUP_ROUNDS = 2;
const USER = 'bench';
const FUNDS_MSAT = 100_000_000;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function describe(label: string, governed: number[], baseline: number[]): string {
  const g = median(governed);
  const b = median(baseline);
  const overhead = ((g / b - 1) * 100).toFixed(1);
  return `| ${label} | ${g.toFixed(1)} ms | ${b.toFixed(1)} ms | ${(g / b).toFixed(3)} (${Number(overhead) >= 0 ? '+' : ''}${overhead}%) | ${governed.length} |`;
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
      approvedMaxMsat: msat(1_000),
      rate: btcUsdRateFromCentsPerBtc(usdCents(10_000_000)),
    });
    const forgetTokens = () => app.database.sqlite.prepare('DELETE FROM l402_tokens').run();

    const governedPaid = async () => {
      forgetTokens(); // so every round pays
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

    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      await governedPaid();
      await baselinePaid();
    }
    // Interleaved, so drift in the machine's load falls on both sides alike.
    const paid = { governed: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < PAID_ROUNDS; i++) {
      paid.governed.push(await timed(governedPaid));
      paid.baseline.push(await timed(baselinePaid));
    }
    await governedPaid(); // leaves a token in the vault for the cached rounds
    const cached = { governed: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < CACHED_ROUNDS; i++) {
      cached.governed.push(await timed(governedCached));
      cached.baseline.push(await timed(baselineCached));
    }
    app.ledger.checkInvariants();

    return {
      name: 'Governed L402 payments vs fetchWithL402',
      lines: [
        'Same sandbox market (joke, 1 sat), same NWC wallet, one run; medians, rounds interleaved.',
        'Governed = gate + budget-checked reservation + write-ahead row + pay + post + deliver + sealed vault.',
        'Baseline = `fetchWithL402` from @getalby/lightning-tools (no checks, no record).',
        '',
        '| request | governed | baseline | ratio (overhead) | rounds |',
        '|---|---|---|---|---|',
        describe('paid (new token)', paid.governed, paid.baseline),
        describe('cached token', cached.governed, cached.baseline),
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
