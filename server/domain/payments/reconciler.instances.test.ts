// Several instances on one SQLite file, each with its own connection, real repositories and its own
// leases, reconciling the same payments left in doubt: each payment is looked up once, posted once,
// and an instance killed mid-item leaves its item to another once the lease expired.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import type { WalletPort } from '../ports/wallet';
import { creditUserFunding } from './funding';
import { INSTANCE_PRICE_MSAT, openInstance, type Instance } from './instance-support';
import { createFakeProvider, createFakeWallet, testAuthorization } from './test-fakes';
import { testDatabaseLocation } from '../../../scripts/postgres/test-backend/locations';

const USER = 'user-1';
const FEE_MSAT = 1_000;
const PAYMENTS = 6;
const workerPath = fileURLToPath(new URL('./reconciler-instance.worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let dir: string;
let dbPath: string;
let nowMs: number;
let provider: ReturnType<typeof createFakeProvider>;
let wallet: ReturnType<typeof createFakeWallet>;
let lookups: Map<string, number>;
const opened: Instance[] = [];

/** The one wallet every instance asks, a little slow (so the instances' passes interleave), counting lookups per payment. */
function countingWallet(): WalletPort {
  return {
    ...wallet.wallet,
    async lookupInvoice(request) {
      const hash = 'paymentHashHex' in request ? request.paymentHashHex : '';
      lookups.set(hash, (lookups.get(hash) ?? 0) + 1);
      await sleep(5);
      return wallet.wallet.lookupInvoice(request);
    },
  };
}

function instance(holderId: string, now: () => number = () => nowMs): Instance {
  const opening = openInstance({ dbPath, holderId, wallet: countingWallet(), provider, now });
  opened.push(opening);
  return opening;
}

/** Payments the wallet made but whose answer never came back: `paying`, for the reconciler. */
async function paymentsInDoubt(buyer: Instance, count: number): Promise<string[]> {
  expect(creditUserFunding(buyer.ledger, { userId: USER, amountMsat: msat(1_000_000), idempotencyKey: 'fund' }).ok).toBe(true);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    wallet.script.push('unknown_after_paying');
    const outcome = await buyer.service.purchase({
      userId: USER,
      timeZone: 'UTC',
      idempotencyKey: `step-${i}`,
      task: null,
      serviceId: 'satoshi-jokes/joke',
      service: 'joke',
      providerId: 'satoshi-jokes',
      request: { url: `http://market.test/v1/joke?n=${i}`, method: 'GET' },
      authorization: testAuthorization({ approvedMaxMsat: msat(INSTANCE_PRICE_MSAT), rate: btcUsdRateFromCentsPerBtc(usdCents(10_000_000)) }),
    });
    if (outcome.kind !== 'payment_unknown') throw new Error(`expected payment_unknown, got ${outcome.kind}`);
    ids.push(outcome.paymentId);
  }
  return ids;
}

const posts = (at: Instance) => (at.database.sqlite.prepare("SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'post'").get() as { n: number }).n;
const leases = (at: Instance) => at.database.sqlite.prepare('SELECT job, item, holder FROM work_leases').all();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-reconciler-instances-'));
  // A file on SQLite; on PostgreSQL (npm run test:postgres) a schema the worker process opens too.
  dbPath = testDatabaseLocation(join(dir, 'app.db'));
  nowMs = Date.now();
  provider = createFakeProvider({ service: 'joke', invoiceMsat: INSTANCE_PRICE_MSAT, nowMs: () => nowMs });
  wallet = createFakeWallet(provider, { feeMsat: FEE_MSAT });
  lookups = new Map();
});
afterEach(() => {
  for (const at of opened.splice(0)) at.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reconciling with several instances', () => {
  it('two instances at once: each payment is looked up once and posted once, the work shared between them', async () => {
    const a = instance('instance-a');
    const b = instance('instance-b');
    const ids = await paymentsInDoubt(a, PAYMENTS);

    const [fromA, fromB] = await Promise.all([a.reconciler.reconcileOnce(), b.reconciler.reconcileOnce()]);

    expect([...lookups.values()]).toEqual(Array.from({ length: PAYMENTS }, () => 1));
    expect([...fromA.posted, ...fromB.posted].sort()).toEqual([...ids].sort());
    expect(fromA.posted.filter((id) => fromB.posted.includes(id))).toEqual([]);
    expect(fromA.posted.length).toBeGreaterThan(0);
    expect(fromB.posted.length).toBeGreaterThan(0);
    expect(posts(a)).toBe(PAYMENTS);
    expect(wallet.calls.pay).toBe(PAYMENTS);
    expect(a.ledger.userBalances(USER)).toEqual({ availableMsat: 1_000_000 - PAYMENTS * (INSTANCE_PRICE_MSAT + FEE_MSAT), reservedMsat: 0 });
    a.ledger.checkInvariants();
    expect(leases(a)).toEqual([]); // every lease released when its work ended
  });

  it("an instance killed mid-item keeps it only until its lease expires; then another instance finishes it, once", async () => {
    const buyer = instance('buyer');
    const [id] = await paymentsInDoubt(buyer, 1);
    const leaseTtlMs = 60_000;
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath, dbPath, String(leaseTtlMs)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('looking up') && resolve());
        void exited.then(() => reject(new Error(`the worker exited before looking up: ${stderr}`)));
      });
      expect(leases(buyer)).toEqual([{ job: 'reconcile_payment', item: id, holder: 'worker' }]);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    // The dead instance's lease is still live: another instance leaves the payment alone.
    let skewMs = 0;
    const other = instance('instance-b', () => Date.now() + skewMs);
    expect(await other.reconciler.reconcileOnce()).toEqual({ posted: [], uncovered: [], voided: [], kept: [] });
    expect(lookups.size).toBe(0);

    // Past the lease's expiry (as the other instance's clock reads it), the item is taken over.
    skewMs = leaseTtlMs + 1;
    expect(await other.reconciler.reconcileOnce()).toEqual({ posted: [id], uncovered: [], voided: [], kept: [] });
    expect([...lookups.values()]).toEqual([1]);
    expect(await other.reconciler.reconcileOnce()).toEqual({ posted: [], uncovered: [], voided: [], kept: [] });
    expect(posts(other)).toBe(1);
    expect(wallet.calls.pay).toBe(1);
    expect(leases(other)).toEqual([]);
    other.ledger.checkInvariants();
  }, 30_000);
});
