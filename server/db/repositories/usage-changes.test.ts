// Usage changes appended by the single writer and folded into the totals later (usage-changes.ts):
// every read of the database sees totals plus changes, a fold sums each row's changes exactly as
// applying them one by one would, a window made after changes were appended does not count them
// twice, and a fold that a rolled-back batch undid is done again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, signedMsat } from '../../../shared/money';
import { createGroupCommit } from '../group-commit';
import { createGovernanceRepository, type GovernanceRepository, type UsageQuery, type UsageTotals } from './governance-repository';
import { openTwoConnections } from './memory-test-support';
import { FOLD_EVERY } from './usage-changes';

const DAY_MS = 86_400_000;
const MONTH = { userId: 'ann', startsAtMs: 0, endsAtMs: 30 * DAY_MS };
const ZERO: UsageTotals = { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };
const posted = (amount: number): UsageTotals => ({ ...ZERO, postedMsat: msat(amount) });
const change = (amount: number) => ({ postedMsat: signedMsat(amount), pendingMsat: signedMsat(0), feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) });
const query = (taskId: string | null = null): UsageQuery => ({
  userId: 'ann',
  period: { periodKey: '2026-01', startsAtMs: MONTH.startsAtMs, endsAtMs: MONTH.endsAtMs },
  serviceId: 'jokes',
  task: taskId === null ? null : { id: taskId, startedAtMs: 0 },
});

describe('usage changes, folded into the totals', () => {
  let file: ReturnType<typeof openTwoConnections>;
  let repository: GovernanceRepository;
  const count = (table: string) => (file.handle.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const windowRows = () =>
    file.handle.sqlite
      .prepare('SELECT starts_at_ms AS startsAtMs, service_id AS serviceId, posted_msat AS posted FROM governance_window_usage ORDER BY 1, 2')
      .all();
  const taskRows = () =>
    file.handle.sqlite
      .prepare('SELECT task_id AS taskId, first_at_ms AS firstAtMs, last_at_ms AS lastAtMs, posted_msat AS posted FROM governance_task_usage ORDER BY 1')
      .all();

  beforeEach(() => {
    file = openTwoConnections('usage-changes');
    repository = createGovernanceRepository(file.handle);
    repository.createWindow(MONTH, () => ({ month: ZERO, services: new Map() }));
  });
  afterEach(() => file.close());

  it('appends a change, and every read of the database sees it: this connection, another, an audit', () => {
    repository.addToTotals({ userId: 'ann', atMs: DAY_MS, serviceId: 'jokes', taskId: 't1' }, change(7), true);
    expect(count('governance_usage_changes')).toBe(1);
    expect(windowRows()).toEqual([{ startsAtMs: 0, serviceId: '', posted: 0 }]);
    // From memory, then from the database inside a transaction (where memory is never used), then
    // from another connection (another process's view): each folds first when it must.
    const expected = { month: posted(7), service: posted(7), task: { ...posted(7), firstAtMs: DAY_MS, lastAtMs: DAY_MS } };
    expect(repository.readTotals(query('t1'))).toMatchObject(expected);
    expect(file.handle.sqlite.transaction(() => repository.readTotals(query('t1')))()).toMatchObject(expected);
    expect(createGovernanceRepository(file.other).readTotals(query('t1'))).toMatchObject(expected);
    expect(count('governance_usage_changes')).toBe(0);
    expect(repository.allTotals().service).toEqual([{ ...MONTH, serviceId: 'jokes', ...posted(7) }]);
  });

  it('sums each row once, as the changes would have added one by one', () => {
    const at = (day: number) => day * DAY_MS;
    repository.addToTotals({ userId: 'ann', atMs: at(2), serviceId: 'jokes', taskId: 't1' }, change(10), true);
    repository.addToTotals({ userId: 'ann', atMs: at(1), serviceId: 'jokes', taskId: 't1' }, change(20), true);
    repository.addToTotals({ userId: 'ann', atMs: at(3), serviceId: 'weather', taskId: 't1' }, change(4), true);
    // Later changes (a resolution, a credit) widen nothing and make no row.
    repository.addToTotals({ userId: 'ann', atMs: at(9), serviceId: 'jokes', taskId: 't1' }, change(-5), false);
    repository.addToTotals({ userId: 'ann', atMs: at(5), serviceId: 'news', taskId: 't2' }, change(100), false);
    repository.addToTotals({ userId: 'ann', atMs: at(6), serviceId: null, taskId: null }, change(1), true);
    expect(count('governance_usage_changes')).toBe(6);
    repository.allTotals();
    expect(windowRows()).toEqual([
      { startsAtMs: 0, serviceId: '', posted: 130 },
      { startsAtMs: 0, serviceId: 'jokes', posted: 25 },
      { startsAtMs: 0, serviceId: 'weather', posted: 4 },
    ]);
    expect(taskRows()).toEqual([{ taskId: 't1', firstAtMs: at(1), lastAtMs: at(3), posted: 29 }]);
    // A second fold adds to the rows the first made, and widens the task only by new reservations.
    repository.addToTotals({ userId: 'ann', atMs: at(8), serviceId: 'jokes', taskId: 't1' }, change(2), true);
    repository.addToTotals({ userId: 'ann', atMs: at(12), serviceId: 'jokes', taskId: 't1' }, change(3), false);
    repository.allTotals();
    expect(taskRows()).toEqual([{ taskId: 't1', firstAtMs: at(1), lastAtMs: at(8), posted: 34 }]);
    expect(windowRows()).toContainEqual({ startsAtMs: 0, serviceId: 'jokes', posted: 30 });
  });

  it('folds before making a window, which counts the earlier changes from their reservations, not twice', () => {
    repository.addToTotals({ userId: 'ann', atMs: DAY_MS, serviceId: 'jokes', taskId: null }, change(7), true);
    // A time-zone change: a second window containing the same moment, whose figures are computed
    // from the reservations made in it, this spend's included.
    const shifted = { userId: 'ann', startsAtMs: 5 * 3_600_000, endsAtMs: 30 * DAY_MS + 5 * 3_600_000 };
    repository.createWindow(shifted, () => ({ month: posted(7), services: new Map([['jokes', posted(7)]]) }));
    repository.allTotals();
    expect(windowRows()).toEqual([
      { startsAtMs: 0, serviceId: '', posted: 7 },
      { startsAtMs: 0, serviceId: 'jokes', posted: 7 },
      { startsAtMs: shifted.startsAtMs, serviceId: '', posted: 7 },
      { startsAtMs: shifted.startsAtMs, serviceId: 'jokes', posted: 7 },
    ]);
  });

  it('folds again after a batch that folded rolled back, restoring the changes', async () => {
    repository.addToTotals({ userId: 'ann', atMs: DAY_MS, serviceId: 'jokes', taskId: null }, change(7), true);
    const writer = createGroupCommit(file.handle.sqlite);
    await expect(
      writer.submit(() => {
        repository.allTotals(); // folds, inside the batch
        throw new Error('the unit fails after the fold');
      }),
    ).rejects.toThrow(/after the fold/);
    expect(count('governance_usage_changes')).toBe(1);
    // Read from the database on this connection: it must know to fold again.
    const fromDatabase = file.handle.sqlite.transaction(() => repository.readTotals(query()))();
    expect(fromDatabase.month).toEqual(posted(7));
    expect(count('governance_usage_changes')).toBe(0);
  });

  it(`folds by itself every ${FOLD_EVERY} changes`, () => {
    const add = file.handle.sqlite.transaction((n: number) => {
      for (let i = 0; i < n; i += 1) repository.addToTotals({ userId: 'ann', atMs: DAY_MS, serviceId: 'jokes', taskId: null }, change(1), true);
    });
    add(FOLD_EVERY + 10);
    expect(count('governance_usage_changes')).toBe(10);
    expect(windowRows()).toEqual([
      { startsAtMs: 0, serviceId: '', posted: FOLD_EVERY },
      { startsAtMs: 0, serviceId: 'jokes', posted: FOLD_EVERY },
    ]);
  });
});
