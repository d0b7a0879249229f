// Test support for rate-limits.race.test.ts, run as its own process: another instance with its own
// connection to one database file. It says "ready", reads a start time from stdin and spins until then so
// every process starts together, takes each subject of its plan in turn and prints what it was told.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openRateLimits } from './test-support';

export interface RaceReport {
  startedAtMs: number;
  finishedAtMs: number;
  /** Each attempt's subject and whether it was allowed, in order. */
  outcomes: { subject: string; allowed: boolean }[];
}

const [dbPath, planJson, policyJson] = process.argv.slice(2);
if (dbPath === undefined || planJson === undefined || policyJson === undefined) {
  throw new Error('usage: rate-limits-race-worker <db file> <subjects json> <policy json>');
}
const subjects = JSON.parse(planJson) as string[];
const policy = JSON.parse(policyJson) as { max: number; windowMs: number };
const { limits, handle } = openRateLimits(dbPath, Date.now);

const stdin = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const [startAtLine] = (await once(stdin, 'line')) as [string];
const startAtMs = Number(startAtLine);
while (Date.now() < startAtMs) {
  // Spin rather than sleep: timers would add each process's own wake-up delay to the start.
}

const report: RaceReport = { startedAtMs: Date.now(), finishedAtMs: 0, outcomes: [] };
for (const subject of subjects) {
  report.outcomes.push({ subject, allowed: limits.take('sign_in', subject, policy).allowed });
  // Yield between attempts, as a server between requests does, so the processes interleave.
  await new Promise((resolve) => setImmediate(resolve));
}
report.finishedAtMs = Date.now();
handle.close();
stdin.close();
process.stdout.write(JSON.stringify(report));
