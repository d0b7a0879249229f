import { openDatabase } from '../server/db/client';
import { createGovernanceRepository } from '../server/db/repositories/governance-repository';
const h = openDatabase(':memory:');
const repo = createGovernanceRepository(h);
const s = h.sqlite;
for (let u = 0; u < 500; u++) {
  s.prepare('INSERT INTO governance_month_usage VALUES (?, 1, 2, 0, 0, 0, 0)').run('user-' + u);
  for (const sv of ['a', 'b', 'c', 'd']) s.prepare('INSERT INTO governance_service_usage VALUES (?, 1, 2, ?, 0, 0, 0, 0)').run('user-' + u, sv);
  s.prepare('INSERT INTO governance_task_usage VALUES (?, ?, 1, 1, 0, 0, 0, 0)').run('user-' + u, 't' + u);
  s.prepare("INSERT INTO governance_budget_periods VALUES (?, '2026-03', 'UTC', 1, 2, NULL, 1)").run('user-' + u);
}
const N = 100000;
let t = performance.now();
for (let i = 0; i < N; i++) repo.readTotals({ userId: 'user-' + (i % 500), period: { periodKey: '2026-03', startsAtMs: 1, endsAtMs: 2 }, serviceId: 'b', task: { id: 't' + (i % 500), startedAtMs: 0 } });
console.log('readTotals', ((performance.now() - t) * 1000 / N).toFixed(2), 'µs');
const m = s.prepare('SELECT posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat FROM governance_month_usage WHERE user_id = ? AND starts_at_ms = 1 AND ends_at_ms = 2');
t = performance.now();
for (let i = 0; i < N; i++) m.get('user-' + (i % 500));
console.log('one pk get', ((performance.now() - t) * 1000 / N).toFixed(2), 'µs');
const r = s.prepare('SELECT posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat FROM governance_month_usage WHERE user_id = ? AND starts_at_ms = 1 AND ends_at_ms = 2').raw();
t = performance.now();
for (let i = 0; i < N; i++) r.get('user-' + (i % 500));
console.log('one pk get raw', ((performance.now() - t) * 1000 / N).toFixed(2), 'µs');
