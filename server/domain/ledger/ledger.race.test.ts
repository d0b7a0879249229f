// A real multi-connection race: several processes, each with its own better-sqlite3 connection, reserve
// against one small account in one database file at the same moment. SQLite's write lock (taken by
// each operation's IMMEDIATE transaction) must serialise them so funds are never over-reserved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { msat } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import { foldLedger, PENDING_HOLDS_BY_USER } from '../../db/repositories/ledger-folds';
import { createLedger, providerAccount, routingFeesAccount, stripeAccount, userAvailableAccount } from './index';
import type { RaceOutcome, RaceStep } from './ledger-race-worker';
import { startReportingWorker } from '../../test-support/reporting-worker';
import { testDatabaseLocation } from '../../../scripts/postgres/test-backend/locations';

const WORKERS = 4;
const STEPS_PER_WORKER = 150;
const FUNDS_MSAT = 500_000; // runs out part-way, while every process is still reserving
const SHARED_KEYS = 5; // submitted by every process with the same payload: a cross-process retry
const workerPath = fileURLToPath(new URL('./ledger-race-worker.ts', import.meta.url));

let tempDir: string | undefined;
afterEach(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

function startWorker(dbPath: string, steps: RaceStep[]) {
  return startReportingWorker<RaceOutcome[]>(workerPath, [dbPath, JSON.stringify(steps)]);
}

function planFor(worker: number): RaceStep[] {
  const own = fc.sample(
    fc.record({
      amountMsat: fc.integer({ min: 500, max: 5_000 }),
      then: fc.constantFrom<RaceStep['then']>('post', 'void', 'hold', 'hold'),
    }),
    { numRuns: STEPS_PER_WORKER, seed: worker },
  );
  const steps = own.map((step, i) => ({ ...step, key: `w${worker}-${i}` }));
  // Interleave the shared keys at different positions in each process.
  for (let k = 0; k < SHARED_KEYS; k++) {
    steps.splice((k * 7 + worker * 3) % steps.length, 0, { key: `shared-${k}`, amountMsat: 1_000, then: 'hold' });
  }
  return steps;
}

describe('reservations racing across processes on one database file', () => {
  it('never over-reserves, and every attempt is reserved or refused by name', async () => {
    tempDir = mkdtempSync(join(tmpdir(), 'steward-ledger-race-'));
    // A file on SQLite; on PostgreSQL (npm run test:postgres) a schema the worker processes open too.
    const dbPath = testDatabaseLocation(join(tempDir, 'ledger.db'));
    const setup = openDatabase(dbPath); // migrates once, before the workers open it
    createLedger(setup, { now: () => Date.now() }).transfer({
      idempotencyKey: 'fund',
      debit: stripeAccount,
      credit: userAvailableAccount('alice'),
      amountMsat: msat(FUNDS_MSAT),
    });
    setup.close();

    const plans = Array.from({ length: WORKERS }, (_, worker) => planFor(worker));
    const workers: ReturnType<typeof startWorker>[] = plans.map((steps) => startWorker(dbPath, steps));
    try {
      await Promise.all(workers.map((w) => w.ready));
      const startAtMs = Date.now() + 200;
      for (const w of workers) w.child.stdin.write(`${startAtMs}\n`);
      const results = await Promise.all(workers.map((w) => w.done));
      const outcomes = results.flat();

      expect(outcomes).toHaveLength(WORKERS * (STEPS_PER_WORKER + SHARED_KEYS));
      for (const { reserve, resolve } of outcomes) {
        if (!reserve.ok) expect(reserve.reason).toBe('insufficient_funds');
        if (resolve) expect(resolve).toMatchObject({ ok: true });
      }
      // The funds were too small for every attempt, so the race was real: some won, some were refused.
      expect(outcomes.some((o) => !o.reserve.ok)).toBe(true);
      // The processes really overlapped: in id order, reservations alternate between processes far
      // more often than the WORKERS - 1 switches that one-after-another runs would give.
      const byId = results
        .flatMap((workerOutcomes, worker) =>
          workerOutcomes.map((o) => ({ id: o.reserve.replayed ? undefined : o.reserve.reservationId, worker })),
        )
        .filter((o): o is { id: number; worker: number } => o.id !== undefined)
        .sort((a, b) => a.id - b.id);
      const switches = byId.filter((o, i) => i > 0 && byId[i - 1]!.worker !== o.worker).length;
      expect(switches).toBeGreaterThan(WORKERS * 4);

      // Each shared key became at most one reservation, whichever process got there first.
      for (let k = 0; k < SHARED_KEYS; k++) {
        const attempts = outcomes.filter((o) => o.key === `shared-${k}` && o.reserve.ok);
        expect(attempts.filter((o) => !o.reserve.replayed).length).toBeLessThanOrEqual(1);
        expect(new Set(attempts.map((o) => o.reserve.reservationId)).size).toBeLessThanOrEqual(1);
      }

      const check = openDatabase(dbPath);
      try {
        const ledger = createLedger(check, { now: () => Date.now() });
        ledger.checkInvariants();
        const fresh = outcomes.filter((o) => o.reserve.ok && !o.reserve.replayed);
        const held = fresh.filter((o) => o.resolve === undefined).reduce((sum, o) => sum + o.amountMsat, 0);
        const spent = outcomes.reduce((sum, o) => sum + (o.resolve?.spentMsat ?? 0), 0);
        expect(ledger.userBalances('alice')).toEqual({ availableMsat: FUNDS_MSAT - held - spent, reservedMsat: held });
        // Held, not moved: the pending total every process kept in its transactions is exactly the holds.
        const recorded = () => check.sqlite.prepare(`SELECT pending_msat AS pending FROM (${PENDING_HOLDS_BY_USER}) h WHERE user_id = 'alice'`).get() as { pending: number } | undefined;
        expect(recorded()?.pending ?? 0).toBe(held);
        foldLedger(check.sqlite); // what every process left after the fold mark, folded by another
        expect(recorded()?.pending ?? 0).toBe(held);
        ledger.checkInvariants();
        expect(held + spent).toBeLessThanOrEqual(FUNDS_MSAT);
        expect(ledger.balanceMsat(providerAccount('jokes'))).toBe(spent);
        expect(ledger.balanceMsat(routingFeesAccount)).toBe(0);
      } finally {
        check.close();
      }
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    }
  });
});
