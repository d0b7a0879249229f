/**
 * Fault tests on the real sandbox: a wallet that never answers, a relay that cannot be reached, a
 * success without a preimage, and a server killed (SIGKILL, a real child process) between the
 * write-ahead record and the post, then restarted. In each: no payment is made twice, no reservation
 * is left dangling, and the ledger balances and mirrors the wallet.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../shared/money';
import { creditUserFunding, type PurchaseRequest } from '../domain/payments';
import { testAuthorization } from '../domain/payments/test-fakes';
import { startSandbox, type RunningSandbox } from '../sandbox/stack';
import { openPaymentsHarness, type PaymentsHarness } from './payments-harness';
import { testDatabaseLocation } from '../../scripts/postgres/test-backend/locations';

const FUNDS_MSAT = 1_000_000;
const JOKE_MSAT = 1_000;
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
// node with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would miss.
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const WORKER = join(import.meta.dirname, 'payments-crash-worker.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('payment faults on the sandbox', () => {
  let dataDir: string;
  let sandbox: RunningSandbox;
  const keyHex = randomBytes(32).toString('hex');
  const opened: PaymentsHarness[] = [];
  let step = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-payments-faults-'));
    sandbox = await startSandbox({ dataDir });
  });
  afterEach(() => {
    for (const app of opened.splice(0)) app.close();
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A funded user with its own app database; the ledger credited with exactly the wallet's funding. */
  async function fundedUser(userId: string, options: { nwcUrl?: string; now?: () => number } = {}) {
    const nwcUrl = await sandbox.createUserWallet(userId, { initialBalanceMsat: FUNDS_MSAT });
    // On PostgreSQL (npm run test:postgres) the worker process opens the same schema.
    const dbPath = testDatabaseLocation(join(dataDir, `${userId}.db`));
    const app = open(dbPath, options.nwcUrl ?? nwcUrl, options.now);
    expect(creditUserFunding(app.ledger, { userId, amountMsat: msat(FUNDS_MSAT), idempotencyKey: `fund-${userId}` }).ok).toBe(true);
    const node = sandbox.network.node(`user:${userId}`);
    if (!node) throw new Error('no user node');
    return { app, node, nwcUrl, dbPath };
  }

  function open(dbPath: string, userNwcUrl: string, now?: () => number) {
    const app = openPaymentsHarness({
      dbPath,
      marketUrl: sandbox.marketUrl,
      userNwcUrl,
      secretsKeyHex: keyHex,
      // A short pay timeout keeps the "no answer" cases quick; other calls get room for a loaded machine.
      walletTimeouts: { payMs: 2_000, otherMs: 5_000 },
      ...(now ? { now } : {}),
    });
    opened.push(app);
    return app;
  }

  function jokeStep(userId: string, idempotencyKey = `step-${++step}`): PurchaseRequest {
    return {
      userId,
      timeZone: 'UTC',
      idempotencyKey,
      task: null,
      serviceId: 'satoshi-jokes/joke',
      service: 'joke',
      providerId: 'satoshi-jokes',
      request: { url: new URL('/v1/joke?topic=bitcoin', sandbox.marketUrl).href, method: 'GET' },
      authorization: testAuthorization({ approvedMaxMsat: msat(JOKE_MSAT), rate: RATE }),
    };
  }

  const outgoing = (node: NonNullable<ReturnType<RunningSandbox['network']['node']>>) =>
    node.listTransactions({ direction: 'outgoing' }).transactions;

  async function expectMirrored(app: PaymentsHarness, userId: string) {
    const balance = await app.wallet.getBalance();
    if (!balance.ok) throw new Error('balance unavailable');
    expect(app.ledger.userBalances(userId)).toEqual({ availableMsat: balance.value.balanceMsat, reservedMsat: 0 });
    app.ledger.checkInvariants();
  }

  it('wallet timeout: the outcome is unknown, the retry never pays again, the reconciler posts it once', async () => {
    const { app, node } = await fundedUser('timeout');
    node.setFault({ kind: 'no_reply_after_settle' });
    const request = jokeStep('timeout');
    expect(await app.service.purchase(request)).toMatchObject({ kind: 'payment_unknown' });
    node.setFault(null);
    expect(await app.service.purchase(request)).toMatchObject({ kind: 'payment_unknown' });
    expect(await app.reconciler.reconcileOnce()).toMatchObject({ posted: [expect.any(String)] });
    expect(outgoing(node)).toHaveLength(1);
    expect(app.receipts.list('timeout')[0]).toMatchObject({ outcome: 'paid', amountMsat: JOKE_MSAT });
    await expectMirrored(app, 'timeout');
  });

  it('relay down: nothing is reserved or paid; a payment in doubt is kept until its invoice can no longer be paid', async () => {
    let nowMs = Date.now();
    const { app, node, nwcUrl, dbPath } = await fundedUser('relay', { now: () => nowMs });
    const deadRelay = nwcUrl.replace(/relay=[^&]+/, `relay=${encodeURIComponent('ws://127.0.0.1:9')}`);
    const offline = open(dbPath, deadRelay, () => nowMs);
    expect(await offline.service.purchase(jokeStep('relay'))).toEqual({ kind: 'refused_before_payment', reason: 'wallet_unavailable' });
    expect(offline.ledger.userBalances('relay').reservedMsat).toBe(0);

    // The wallet goes quiet before paying; then the relay is down while reconciling.
    node.setFault({ kind: 'no_reply_before_settle' });
    expect(await app.service.purchase(jokeStep('relay'))).toMatchObject({ kind: 'payment_unknown' });
    node.setFault(null);
    expect(await offline.reconciler.reconcileOnce()).toMatchObject({ kept: [expect.any(String)], voided: [] });
    expect(await app.reconciler.reconcileOnce()).toMatchObject({ kept: [expect.any(String)], voided: [] });
    nowMs += 60 * 60_000; // the invoice (10 min) has long expired: the wallet can no longer pay it
    expect(await app.reconciler.reconcileOnce()).toMatchObject({ voided: [expect.any(String)] });
    expect(outgoing(node)).toHaveLength(0);
    await expectMirrored(app, 'relay');
  });

  it('success without a preimage: posted once as paid_unusable, never paid again', async () => {
    const { app, node } = await fundedUser('nopreimage');
    node.setFault({ kind: 'no_preimage' });
    const request = jokeStep('nopreimage');
    expect(await app.service.purchase(request)).toMatchObject({ kind: 'paid_not_delivered', reason: 'paid_unusable' });
    node.setFault(null);
    expect(await app.service.purchase(request)).toMatchObject({ kind: 'paid_not_delivered', reason: 'paid_unusable' });
    expect(outgoing(node)).toHaveLength(1);
    expect(app.receipts.list('nopreimage')[0]).toMatchObject({ outcome: 'paid_unusable', reason: 'missing_preimage' });
    await expectMirrored(app, 'nopreimage');
  });

  it('server killed between write-ahead and post: the restarted reconciler posts it once, the resumed step delivers', async () => {
    const { app, node, nwcUrl, dbPath } = await fundedUser('crash');
    // The wallet holds the payment for 4 s: the worker is killed while it waits for the answer.
    node.setFault({ kind: 'delay', ms: 4_000 });
    const args = [dbPath, sandbox.marketUrl, nwcUrl, keyHex, 'crash'];
    const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), WORKER, 'pay', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      const paying = () => app.database.sqlite.prepare("SELECT count(*) AS n FROM payments WHERE status = 'paying'").get() as { n: number };
      for (let waited = 0; paying().n === 0; waited += 50) {
        if (waited > 15_000) throw new Error('the worker never wrote its payment');
        await sleep(50);
      }
      // Give the pay_invoice request time to cross the relay (well inside the wallet's delay).
      await sleep(1_000);
      expect(outgoing(node)).toHaveLength(0);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    // The wallet finishes the payment the dead process asked for.
    for (let waited = 0; outgoing(node).length === 0; waited += 50) {
      if (waited > 10_000) throw new Error('the wallet never paid');
      await sleep(50);
    }
    node.setFault(null);
    expect(app.ledger.userBalances('crash').reservedMsat).toBeGreaterThan(0);

    const { stdout } = await promisify(execFile)(NODE_TSX[0], [...NODE_TSX.slice(1), WORKER, 'reconcile', ...args]);
    const report = JSON.parse(stdout) as { posted: string[] };
    expect(report).toMatchObject({ posted: [expect.any(String)], voided: [], kept: [] });
    expect(app.receipts.list('crash')[0]).toMatchObject({ outcome: 'paid', amountMsat: JOKE_MSAT });

    // The restarted step finds its payment, redeems the token the reconciler stored, and never pays again.
    const resumed = await app.service.purchase(jokeStep('crash', 'crash-step'));
    expect(resumed).toMatchObject({ kind: 'delivered', via: 'paid', paymentId: report.posted[0], content: { status: 200 } });
    expect(outgoing(node)).toHaveLength(1);
    const posts = app.database.sqlite.prepare("SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'post'").get() as { n: number };
    expect(posts.n).toBe(1);
    expect(app.receipts.list('crash')[0]).toMatchObject({ outcome: 'delivered', amountMsat: JOKE_MSAT, evidence: { httpStatus: 200 } });
    await expectMirrored(app, 'crash');
  });
});
