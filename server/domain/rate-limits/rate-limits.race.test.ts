// A real race between instances: two processes, each with its own connection to one database file, take
// the same limits' last attempts at the same moment. Counting must be one step, so that no two of them
// both see a free slot: every slot goes to exactly one process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { limitSubject } from './index';
import type { RaceReport } from './rate-limits-race-worker';
import { openRateLimits } from './test-support';
import { startReportingWorker } from '../../test-support/reporting-worker';
import { testDatabaseLocation } from '../../../scripts/postgres/test-backend/locations';

const POLICY = { max: 20, windowMs: 5 * 60_000 };
const LAST_SLOT_SUBJECTS = Array.from({ length: 40 }, (_, i) => limitSubject.address(`198.51.100.${i}`));
const CROWDED = limitSubject.address('192.0.2.1');
const workerPath = fileURLToPath(new URL('./rate-limits-race-worker.ts', import.meta.url));

let tempDir: string | undefined;
afterEach(() => {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
});

function startWorker(dbPath: string, subjects: string[]) {
  return startReportingWorker<RaceReport>(workerPath, [dbPath, JSON.stringify(subjects), JSON.stringify(POLICY)]);
}

describe('two instances racing for the last attempts of a limit', () => {
  it('gives each slot to exactly one of them', async () => {
    tempDir = mkdtempSync(join(tmpdir(), 'steward-rate-race-'));
    // A file on SQLite; on PostgreSQL (npm run test:postgres) a schema the worker processes open too.
    const dbPath = testDatabaseLocation(join(tempDir, 'app.db'));
    // Every last-slot subject has used all but one attempt; the crowded one has all 20 left.
    const setup = openRateLimits(dbPath, Date.now);
    for (const subject of LAST_SLOT_SUBJECTS) for (let i = 1; i < POLICY.max; i++) setup.limits.take('sign_in', subject, POLICY);
    setup.handle.close();

    // Both processes go through the subjects in the same order, so they meet on each one.
    const plan = LAST_SLOT_SUBJECTS.flatMap((subject) => [subject, CROWDED]);
    const workers = [startWorker(dbPath, plan), startWorker(dbPath, plan)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      const startAtMs = Date.now() + 200;
      for (const w of workers) w.child.stdin.write(`${startAtMs}\n`);
      const reports = await Promise.all(workers.map((w) => w.done));
      const [first, second] = reports as [RaceReport, RaceReport];
      // The two really ran at the same time.
      expect(first.startedAtMs).toBeLessThan(second.finishedAtMs);
      expect(second.startedAtMs).toBeLessThan(first.finishedAtMs);

      const allowed = (subject: string) => reports.flatMap((r) => r.outcomes).filter((o) => o.subject === subject && o.allowed).length;
      for (const subject of LAST_SLOT_SUBJECTS) expect(allowed(subject), subject).toBe(1);
      // 80 attempts at 20 slots: exactly 20 allowed, however they interleaved.
      expect(allowed(CROWDED)).toBe(POLICY.max);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    }
  });
});
