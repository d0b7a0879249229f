// The window usage table (governance_window_usage): a window's total and its services' rows change
// together, a service row is created once per window, the windows containing a moment are found
// among the person's last 32 days of rows however long their history, and no longer window is made.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, signedMsat } from '../../../shared/money';
import { createGovernanceRepository, LONGEST_WINDOW_MS, type GovernanceRepository, type UsageTotals } from './governance-repository';
import { openTwoConnections } from './memory-test-support';

const DAY_MS = 86_400_000;
const ZERO: UsageTotals = { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };
const change = (postedMsat: number) => ({ postedMsat: signedMsat(postedMsat), pendingMsat: signedMsat(0), feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) });

describe('governance repository: window usage', () => {
  let file: ReturnType<typeof openTwoConnections>;
  let repository: GovernanceRepository;
  beforeEach(() => {
    file = openTwoConnections('window-usage');
    repository = createGovernanceRepository(file.handle);
  });
  afterEach(() => file.close());

  const rows = () => {
    // allTotals folds the changes appended since the last fold into the totals first (usage-changes.ts).
    repository.allTotals();
    return file.handle.sqlite
      .prepare('SELECT starts_at_ms AS startsAtMs, service_id AS serviceId, posted_msat AS posted FROM governance_window_usage ORDER BY 1, 2')
      .all();
  };

  it("adds to the windows containing the moment and their service's rows, made once, after a long history", () => {
    // A year of monthly windows before the current one: the search must still find only the right one.
    for (let month = 0; month < 13; month += 1) {
      repository.createWindow({ userId: 'ann', startsAtMs: month * 30 * DAY_MS, endsAtMs: (month + 1) * 30 * DAY_MS }, () => ({ month: ZERO, services: new Map() }));
    }
    const now = 12 * 30 * DAY_MS + 29 * DAY_MS; // late in the window: a bound much under a month would miss it
    repository.addToTotals({ userId: 'ann', atMs: now, serviceId: 'jokes', taskId: null }, change(100), true);
    repository.addToTotals({ userId: 'ann', atMs: now, serviceId: 'jokes', taskId: null }, change(20), true);
    repository.addToTotals({ userId: 'ann', atMs: now, serviceId: null, taskId: null }, change(3), true);
    repository.addToTotals({ userId: 'ann', atMs: now, serviceId: 'weather', taskId: null }, change(5), false); // a resolution makes no row
    const current = rows().filter((row) => (row as { startsAtMs: number }).startsAtMs === 12 * 30 * DAY_MS);
    expect(current).toEqual([
      { startsAtMs: 12 * 30 * DAY_MS, serviceId: '', posted: 128 },
      { startsAtMs: 12 * 30 * DAY_MS, serviceId: 'jokes', posted: 120 },
    ]);
    expect(rows().filter((row) => (row as { posted: number }).posted !== 0)).toEqual(current);
  });

  it('adds to both windows after a time-zone change, creating the service row only where it is missing', () => {
    const utc = { userId: 'ann', startsAtMs: 0, endsAtMs: 30 * DAY_MS };
    const shifted = { userId: 'ann', startsAtMs: 5 * 3_600_000, endsAtMs: 30 * DAY_MS + 4 * 3_600_000 };
    repository.createWindow(utc, () => ({ month: ZERO, services: new Map([['jokes', ZERO]]) }));
    repository.createWindow(shifted, () => ({ month: ZERO, services: new Map() }));
    repository.addToTotals({ userId: 'ann', atMs: DAY_MS, serviceId: 'jokes', taskId: null }, change(7), true);
    expect(rows()).toEqual([
      { startsAtMs: 0, serviceId: '', posted: 7 },
      { startsAtMs: 0, serviceId: 'jokes', posted: 7 },
      { startsAtMs: 5 * 3_600_000, serviceId: '', posted: 7 },
      { startsAtMs: 5 * 3_600_000, serviceId: 'jokes', posted: 7 },
    ]);
  });

  it('refuses a window longer than the search assumes, and writes nothing', () => {
    const long = { userId: 'ann', startsAtMs: 0, endsAtMs: LONGEST_WINDOW_MS + 1 };
    expect(() => repository.createWindow(long, () => ({ month: ZERO, services: new Map() }))).toThrow(/longer than/);
    expect(rows()).toEqual([]);
  });
});
