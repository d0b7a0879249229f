// Test support for ledger.race.test.ts, run as its own process: one more better-sqlite3 connection
// racing the others on one database file. It opens the ledger, says "ready", reads a start time from
// stdin and spins until then so every process starts together, runs its plan as fast as it can and
// prints the outcomes as JSON.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { msat } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import { createLedger, providerAccount } from './index';

export interface RaceStep {
  key: string;
  amountMsat: number;
  then: 'post' | 'void' | 'hold';
}
export interface RaceOutcome {
  key: string;
  amountMsat: number;
  reserve: { ok: boolean; reason?: string; replayed?: boolean; reservationId?: number };
  resolve?: { ok: boolean; reason?: string; spentMsat: number };
}

const [dbPath, planJson] = process.argv.slice(2);
if (dbPath === undefined || planJson === undefined) {
  throw new Error('usage: ledger-race-worker <db file> <plan json>');
}
const steps = JSON.parse(planJson) as RaceStep[];
const handle = openDatabase(dbPath);
const ledger = createLedger(handle, { now: () => Date.now() });

const stdin = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const [startAtLine] = (await once(stdin, 'line')) as [string];
const startAtMs = Number(startAtLine);
while (Date.now() < startAtMs) {
  // Spin rather than sleep: timers would add each process's own wake-up delay to the start.
}

const outcomes: RaceOutcome[] = [];
for (const step of steps) {
  // Yield between steps, as a server between requests does. Without it, the process holding the
  // lock re-takes it at once while the others sleep in SQLite's busy handler, and nothing overlaps.
  await new Promise((resolve) => setTimeout(resolve, 1));
  const reserved = ledger.reserve({
    idempotencyKey: step.key,
    userId: 'alice',
    destination: providerAccount('jokes'),
    amountMsat: msat(step.amountMsat),
    expiresAtMs: Date.UTC(2100, 0, 1), // same payload in every process, so shared keys replay
  });
  const outcome: RaceOutcome = {
    key: step.key,
    amountMsat: step.amountMsat,
    reserve: reserved.ok
      ? { ok: true, replayed: reserved.replayed, reservationId: reserved.reservation.id }
      : { ok: false, reason: reserved.reason },
  };
  if (reserved.ok && !reserved.replayed && step.then !== 'hold') {
    const reservationId = reserved.reservation.id;
    const spentMsat = Math.floor(step.amountMsat / 2);
    const resolved =
      step.then === 'post'
        ? ledger.post({
            idempotencyKey: `${step.key}:post`,
            reservationId,
            amountMsat: msat(spentMsat),
            feeMsat: msat(0),
          })
        : ledger.void({ idempotencyKey: `${step.key}:void`, reservationId, reason: 'race' });
    outcome.resolve = resolved.ok
      ? { ok: true, spentMsat: step.then === 'post' ? spentMsat : 0 }
      : { ok: false, reason: resolved.reason, spentMsat: 0 };
  }
  outcomes.push(outcome);
}
handle.close();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
stdin.close();
