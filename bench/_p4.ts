import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings, type SpendQuote } from '../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../shared/money';
import { openDatabase } from '../server/db/client';
import { createGroupCommit } from '../server/db/group-commit';
import { budgetReservationMetadata, createGovernance } from '../server/domain/governance';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount } from '../server/domain/ledger';
import { rmSync } from 'node:fs';
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
const SERVICES = ['jokes', 'weather', 'btc-price', 'summaries'];
const path = process.argv[2] ?? ':memory:'; const inside = process.argv[3] === 'inside';
if (path !== ':memory:') { rmSync(path, { force: true }); rmSync(path + '-wal', { force: true }); rmSync(path + '-shm', { force: true }); }
const handle = openDatabase(path);
const nowMs = Date.parse('2026-03-10T12:00:00Z');
const governance = createGovernance(handle, { now: () => nowMs });
const ledger = createLedger(handle, { now: () => nowMs, observer: governance.usageObserver });
const writer = createGroupCommit(handle.sqlite);
const settings: GovernanceSettings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(2_000_000_000) } };
const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
for (const userId of users) { governance.saveSettings(userId, settings); ledger.transfer({ idempotencyKey: `fund:${userId}`, debit: stripeAccount, credit: userAvailableAccount(userId), amountMsat: msat(1_000_000_000) }); }
const total = 20000;
const one = (i: number) => {
  const userId = users[i % users.length]!; const serviceId = SERVICES[i % 4]!;
  const amountMsat = msat(1_000 + ((i * 7_919) % 300_000));
  const quote: SpendQuote = { serviceId, maxMsat: amountMsat, feeAllowanceMsat: msat(Math.floor(amountMsat / 100)), rate: RATE };
  const task = { id: `task-${userId}-${Math.floor(i / (users.length * 5))}`, startedAtMs: nowMs };
  const reserve = () => ledger.reserve({ idempotencyKey: `bench:${i}`, userId, destination: providerAccount(serviceId), amountMsat, expiresAtMs: nowMs + 60_000,
    metadata: budgetReservationMetadata({ serviceId, taskId: task.id, feeReserveMsat: quote.feeAllowanceMsat }),
    precondition: governance.precondition({ userId, timeZone: 'Europe/London', settings, quote, task }) });
  if (inside) return writer.submit(() => { governance.decideSpend({ userId, timeZone: 'Europe/London', quote, task }); return reserve(); });
  governance.decideSpend({ userId, timeZone: 'Europe/London', quote, task });
  return writer.submit(reserve);
};
const t0 = performance.now(); const c0 = process.cpuUsage();
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => { for (let i = next++; i < total; i = next++) await one(i); }));
const c = process.cpuUsage(c0);
console.log(path, inside ? 'inside' : 'outside', (total / (performance.now() - t0) * 1000).toFixed(0), '/s', 'cpu µs', ((c.user + c.system) / total).toFixed(0), 'sys', (c.system / total).toFixed(0));
