// A separate process racing reservations against one budget on a shared database file, for the
// concurrency test in governance.test.ts. Args: dbPath userId workerIndex count amountMsat limitMsat
// nowMs startAtMs. Prints one JSON line: { results: [{ ok, reason? , amountMsat }] }.
import { msat } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import { createLedger, providerAccount } from '../ledger';
import { budgetReservationMetadata } from './budget-precondition';
import { createGovernance } from './governance';

const [dbPath, userId, workerIndex, count, amountMsat, limitMsat, nowMs, startAtMs] = process.argv.slice(2);
if (startAtMs === undefined) throw new Error('usage: dbPath userId workerIndex count amountMsat limitMsat nowMs startAtMs');

const handle = openDatabase(dbPath ?? '');
const governance = createGovernance(handle, { now: () => Number(nowMs) });
const ledger = createLedger(handle, { now: () => Number(nowMs), observer: governance.usageObserver });
const settings = { ...governance.settingsFor(userId ?? ''), monthlyLimit: { unit: 'sat' as const, msat: msat(Number(limitMsat)) } };
const rate = { usdCents: 1, perMsat: 10_000 };

// Start together so the processes really contend for the write lock.
while (Date.now() < Number(startAtMs)) await new Promise((resolve) => setTimeout(resolve, 1));

const results: { ok: boolean; reason?: string }[] = [];
for (let i = 0; i < Number(count); i += 1) {
  const quote = { serviceId: 'jokes', maxMsat: msat(Number(amountMsat)), feeAllowanceMsat: msat(0), rate };
  const result = ledger.reserve({
    idempotencyKey: `race:${workerIndex}:${i}`,
    userId: userId ?? '',
    destination: providerAccount('jokes'),
    amountMsat: quote.maxMsat,
    expiresAtMs: Number(nowMs) + 60_000,
    metadata: budgetReservationMetadata({ serviceId: 'jokes', taskId: null, feeReserveMsat: msat(0) }),
    precondition: governance.precondition({ userId: userId ?? '', timeZone: 'UTC', settings, quote, task: null }),
  });
  results.push(result.ok ? { ok: true } : { ok: false, reason: result.reason });
  // Yield so the other processes get the lock between our transactions.
  await new Promise((resolve) => setImmediate(resolve));
}
handle.close();
process.stdout.write(`${JSON.stringify({ results })}\n`);
