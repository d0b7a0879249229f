// The writer's memory of governance rows (server/db/writer-memory.ts says when it may be used): each
// person's settings and the usage totals their budget checks read. A write of usage applies the same
// change here as its SQL applies to the rows (governance-repository.ts), so a busy person's next check
// reads memory, not the database. The rules below mirror that SQL statement by statement; the
// property test in governance-memory.test.ts compares memory with the database after random writes.
import type { GovernanceSettings } from '../../../shared/governance';
import { msat } from '../../../shared/money';
import type Database from 'better-sqlite3';
import { memoryPartOf, type WriterMemory } from '../writer-memory';
import type { StoredTotals, UsageQuery, UsageScope, UsageTotals, UsageTotalsChange } from './governance-repository';

type TaskTotals = NonNullable<StoredTotals['task']>;
/**
 * One person's rows as last read or written. A key with no entry is not known; null is a row known
 * not to exist (the SQL would find none, and only a write that creates it can change that).
 */
interface PersonMemory {
  settings?: GovernanceSettings | null;
  /** By window (`startsAtMs:endsAtMs`). */
  months: Map<string, UsageTotals | null>;
  /**
   * By window and service. A window's service rows are all learnt with its month row (learn), so in
   * a window memory knows, a service without an entry has no row: a person's first spend at another
   * service reads nothing.
   */
  services: Map<string, UsageTotals | null>;
  tasks: Map<string, TaskTotals | null>;
  /** By period key: the limit recorded for it (undefined in the map: not known). */
  periods: Map<string, { limitJson: string | null } | null>;
  /** The windows known to have a month row, for the writes that find rows by moment. */
  windows: Map<string, { startsAtMs: number; endsAtMs: number }>;
}

/** Bounds on what is kept: past them it is dropped and read again (a cache, not a copy of the tables). */
const MAX_PEOPLE = 20_000;
const MAX_ROWS_PER_PERSON = 256;

const windowKey = (startsAtMs: number, endsAtMs: number) => `${startsAtMs}:${endsAtMs}`;
const serviceKey = (window: string, serviceId: string) => `${window}\u0000${serviceId}`;

const added = (figures: UsageTotals, change: UsageTotalsChange): UsageTotals => ({
  postedMsat: msat(figures.postedMsat + change.postedMsat),
  pendingMsat: msat(figures.pendingMsat + change.pendingMsat),
  feeReserveMsat: msat(figures.feeReserveMsat + change.feeReserveMsat),
  refundCreditMsat: msat(figures.refundCreditMsat + change.refundCreditMsat),
});

const ZERO: UsageTotals = { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };

/** A service's row in a window whose month row memory knows: no entry, no row (see PersonMemory). */
const serviceRow = (person: PersonMemory, window: string, serviceId: string): UsageTotals | null =>
  person.services.get(serviceKey(window, serviceId)) ?? null;

/** The query's answer from remembered rows; undefined when one of the rows it reads is not known. */
function recalled(person: PersonMemory, query: UsageQuery): StoredTotals | undefined {
  const window = windowKey(query.period.startsAtMs, query.period.endsAtMs);
  const month = person.months.get(window);
  if (month === undefined) return undefined;
  // The month's row drives the query: without it the query finds nothing at all.
  if (month === null) return { month: null, service: null, task: null, periodRecorded: false, periodLimitJson: null };
  const service = serviceRow(person, window, query.serviceId);
  const task = query.task === null ? null : person.tasks.get(query.task.id);
  const period = person.periods.get(query.period.periodKey);
  if (task === undefined || period === undefined) return undefined;
  return { month, service, task, periodRecorded: period !== null, periodLimitJson: period?.limitJson ?? null };
}

/**
 * Whether the task's row is the only one the query reads that memory does not know, as at each task's
 * first spend (a task makes a few): its row alone is then read, not the whole totals query.
 */
function onlyTaskUnknown(person: PersonMemory, query: UsageQuery): query is UsageQuery & { task: { id: string } } {
  const window = windowKey(query.period.startsAtMs, query.period.endsAtMs);
  return (
    query.task !== null &&
    !person.tasks.has(query.task.id) &&
    Boolean(person.months.get(window)) &&
    person.periods.get(query.period.periodKey) !== undefined
  );
}

/** Remembers the rows a query read from the database, and every service row of its window. */
function learn(person: PersonMemory, query: UsageQuery, stored: StoredTotals, services: ReadonlyMap<string, UsageTotals>): void {
  const { startsAtMs, endsAtMs } = query.period;
  const window = windowKey(startsAtMs, endsAtMs);
  person.months.set(window, stored.month);
  if (stored.month === null) return;
  person.windows.set(window, { startsAtMs, endsAtMs });
  for (const [serviceId, totals] of services) person.services.set(serviceKey(window, serviceId), totals);
  person.services.set(serviceKey(window, query.serviceId), stored.service);
  if (query.task !== null) person.tasks.set(query.task.id, stored.task);
  person.periods.set(query.period.periodKey, stored.periodRecorded ? { limitJson: stored.periodLimitJson } : null);
}

/**
 * What `addToTotals(scope, change, create)` does, on remembered rows: every month row of a window
 * containing the moment gains the change; so does the service's row in each such window (created,
 * when `create`, in a window whose month row exists: the SQL creates it from that row); the task's
 * row gains it and, when `create`, widens to the moment (or is created). Rows not remembered are
 * left alone: the next read fetches them, change included.
 */
function applyChange(person: PersonMemory, scope: UsageScope, change: UsageTotalsChange, create: boolean): void {
  for (const [window, bounds] of person.windows) {
    if (bounds.startsAtMs > scope.atMs || bounds.endsAtMs <= scope.atMs) continue;
    const month = person.months.get(window);
    if (month) person.months.set(window, added(month, change));
    if (scope.serviceId === null) continue;
    const key = serviceKey(window, scope.serviceId);
    const service = serviceRow(person, window, scope.serviceId);
    if (service) person.services.set(key, added(service, change));
    else if (create) person.services.set(key, added(ZERO, change));
  }
  if (scope.taskId === null) return;
  const task = person.tasks.get(scope.taskId);
  // Object.assign, not `{ ...added(...), ... }`: this runs on every spend decision, where spread
  // objects kept what they point to alive through young-generation collections
  // (docs/architecture.md, "What a spend decision costs").
  if (task) {
    const widened = create ? { firstAtMs: Math.min(task.firstAtMs, scope.atMs), lastAtMs: Math.max(task.lastAtMs, scope.atMs) } : task;
    person.tasks.set(scope.taskId, Object.assign(added(task, change), { firstAtMs: widened.firstAtMs, lastAtMs: widened.lastAtMs }));
  } else if (task === null && create) {
    person.tasks.set(scope.taskId, Object.assign(added(ZERO, change), { firstAtMs: scope.atMs, lastAtMs: scope.atMs }));
  }
}

/**
 * A busy person's tasks are what fills their memory: the oldest are dropped (a Map keeps the order
 * they were first remembered in), so the tasks still spending stay, and so do the month and service
 * rows every check reads. Dropping the whole person instead had every check of theirs read the
 * database again every few hundred tasks (and first fold their usage changes, usage-changes.ts).
 */
function forgetOldTasks(person: PersonMemory): void {
  const keep = Math.floor(MAX_ROWS_PER_PERSON / 4);
  for (const taskId of person.tasks.keys()) {
    if (person.tasks.size <= keep) return;
    person.tasks.delete(taskId);
  }
}

const rowCount = (person: PersonMemory) => person.months.size + person.services.size + person.tasks.size + person.periods.size;

export type GovernanceMemory = ReturnType<typeof createGovernanceMemory>;

function createGovernanceMemory(writer: WriterMemory) {
  const people = new Map<string, PersonMemory>();
  writer.register({ forget: (userId) => people.delete(userId), forgetAll: () => people.clear() });

  function personFor(userId: string): PersonMemory {
    let person = people.get(userId);
    if (person !== undefined && rowCount(person) >= MAX_ROWS_PER_PERSON) forgetOldTasks(person);
    if (person === undefined || rowCount(person) >= MAX_ROWS_PER_PERSON) {
      if (people.size >= MAX_PEOPLE) people.clear();
      person = { months: new Map(), services: new Map(), tasks: new Map(), periods: new Map(), windows: new Map() };
      people.set(userId, person);
    }
    return person;
  }

  return {
    /** The person's settings from memory when it may be used and knows them; else `read`, remembered. */
    settings(userId: string, read: () => GovernanceSettings | null): GovernanceSettings | null {
      if (!writer.readable(userId)) return read();
      const person = personFor(userId);
      if (person.settings === undefined) person.settings = read();
      return person.settings;
    },

    /**
     * The query's totals from memory when it may be used and knows every row; else `read` (or only
     * `readTask`, the task's row, when that is all memory lacks), remembered with the window's
     * service rows (`readServices`, read after `read`, which made the person's rows exact).
     */
    totals(
      query: UsageQuery,
      read: () => StoredTotals,
      readTask: (taskId: string) => TaskTotals | null,
      readServices: () => ReadonlyMap<string, UsageTotals>,
    ): StoredTotals {
      if (!writer.readable(query.userId)) return read();
      const person = personFor(query.userId);
      const known = recalled(person, query);
      if (known !== undefined) return known;
      if (onlyTaskUnknown(person, query)) {
        person.tasks.set(query.task.id, readTask(query.task.id));
        const recalledNow = recalled(person, query);
        if (recalledNow !== undefined) return recalledNow;
      }
      const stored = read();
      learn(person, query, stored, stored.month === null ? new Map() : readServices());
      return stored;
    },

    /** After the person's settings were written: read them again next time. */
    settingsWritten(userId: string): void {
      writer.wrote(userId);
      const person = people.get(userId);
      if (person !== undefined) delete person.settings;
    },

    /** After addToTotals wrote `change`: the same change to the remembered rows. */
    totalsChanged(scope: UsageScope, change: UsageTotalsChange, create: boolean): void {
      if (!writer.wrote(scope.userId)) return;
      const person = people.get(scope.userId);
      if (person !== undefined) applyChange(person, scope, change, create);
    },

    /** After the period was recorded (or its limit rewritten): it is, with this limit. */
    periodRecorded(query: UsageQuery, limitJson: string | null): void {
      if (!writer.wrote(query.userId)) return;
      people.get(query.userId)?.periods.set(query.period.periodKey, { limitJson });
    },

    /** After a window's totals were created: its rows are read again. */
    windowCreated(userId: string): void {
      writer.wrote(userId);
      people.delete(userId);
    },
  };
}

/** One memory per connection, shared by every governance repository on it; null on PostgreSQL. */
export function governanceMemoryOf(sqlite: Database.Database): GovernanceMemory | null {
  return memoryPartOf(sqlite, createGovernanceMemory);
}
