// The writer's memory of governance rows must answer every read exactly as the database would, however
// writes arrive: outside a transaction, in group-commit batches that commit or roll back, in other
// transactions that commit or roll back, and from another connection on the same file. Random
// sequences of writes; after each, every query read through memory is compared with the same query
// read from the database (inside a transaction, where memory is never used).
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../../shared/governance';
import { msat, signedMsat } from '../../../shared/money';
import { createGroupCommit } from '../group-commit';
import { createGovernanceRepository, type GovernanceRepository, type UsageQuery, type UsageScope } from './governance-repository';
import { openTwoConnections, whereArb, writeIn } from './memory-test-support';

const USERS = ['ann', 'ben'];
const SERVICES = ['jokes', 'weather'];
const TASKS = ['t1', 't2'];
// Two months in one zone, and a window of another zone overlapping both (a time-zone change).
const WINDOWS = [
  { periodKey: '2026-03', startsAtMs: 1_000, endsAtMs: 2_000 },
  { periodKey: '2026-04', startsAtMs: 2_000, endsAtMs: 3_000 },
  { periodKey: '2026-03', startsAtMs: 1_500, endsAtMs: 2_500 },
];
const MOMENTS = [1_200, 1_700, 2_200, 2_700];

const queries: UsageQuery[] = USERS.flatMap((userId) =>
  WINDOWS.flatMap((period) =>
    SERVICES.flatMap((serviceId) =>
      [null, ...TASKS].map((taskId) => ({ userId, period, serviceId, task: taskId === null ? null : { id: taskId, startedAtMs: 0 } })),
    ),
  ),
);

type Write =
  | { kind: 'add'; scope: UsageScope; amount: number; create: boolean }
  | { kind: 'window'; userId: string; window: number; amount: number }
  | { kind: 'period'; query: number; limit: string | null; named: UsageQuery[] }
  | { kind: 'settings'; userId: string; limitSat: number };

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    scope: fc.record({
      userId: fc.constantFrom(...USERS),
      atMs: fc.constantFrom(...MOMENTS),
      serviceId: fc.constantFrom(null, ...SERVICES),
      taskId: fc.constantFrom(null, ...TASKS),
    }),
    amount: fc.integer({ min: 1, max: 1_000 }),
    create: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('window' as const), userId: fc.constantFrom(...USERS), window: fc.nat(WINDOWS.length - 1), amount: fc.nat(1_000) }),
  fc.record({ kind: fc.constant('period' as const), query: fc.nat(queries.length - 1), limit: fc.constantFrom(null, '{"a":1}', '{"a":2}'), named: fc.constant(queries) }),
  fc.record({ kind: fc.constant('settings' as const), userId: fc.constantFrom(...USERS), limitSat: fc.integer({ min: 1, max: 1_000_000 }) }),
);

function apply(repository: GovernanceRepository, write: Write): void {
  const figures = (amount: number) => ({ postedMsat: msat(amount), pendingMsat: msat(amount * 2), feeReserveMsat: msat(0), refundCreditMsat: msat(1) });
  switch (write.kind) {
    case 'add': {
      const n = signedMsat(write.amount);
      repository.addToTotals(write.scope, { postedMsat: n, pendingMsat: n, feeReserveMsat: signedMsat(0), refundCreditMsat: n }, write.create);
      return;
    }
    case 'window': {
      const { startsAtMs, endsAtMs } = WINDOWS[write.window] ?? WINDOWS[0]!;
      repository.createWindow({ userId: write.userId, startsAtMs, endsAtMs }, () => ({ month: figures(write.amount), services: new Map([['jokes', figures(write.amount)]]) }));
      return;
    }
    case 'period':
      repository.recordPeriod(write.named[write.query] ?? queries[0]!, { timeZone: 'UTC', limitJson: write.limit, nowMs: 1 });
      return;
    case 'settings':
      repository.saveSettings(write.userId, { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat', msat: msat(write.limitSat * 1000) } }, 1);
  }
}

describe('the writer memory of governance rows', () => {
  let file: ReturnType<typeof openTwoConnections>;
  beforeEach(() => {
    file = openTwoConnections('governance-memory');
  });
  afterEach(() => file.close());

  it('reads what the database holds after any mix of writes, commits and rollbacks', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(writeArb, whereArb, fc.boolean()), { minLength: 1, maxLength: 40 }), async (steps) => {
        // A fresh database per run: a new user prefix keeps runs apart on the one file.
        runs += 1;
        const prefix = `run${runs}-`;
        const { handle, other } = file;
        const repository = createGovernanceRepository(handle);
        const otherRepository = createGovernanceRepository(other);
        const writer = createGroupCommit(handle.sqlite);
        const named = queries.map((query) => ({ ...query, userId: prefix + query.userId }));
        const renamed = (write: Write): Write =>
          write.kind === 'add' ? { ...write, scope: { ...write.scope, userId: prefix + write.scope.userId } }
            : write.kind === 'period' ? { ...write, named }
            : { ...write, userId: prefix + write.userId };
        const truth = (query: UsageQuery) => handle.sqlite.transaction(() => repository.readTotals(query))();

        for (const [rawWrite, where, readInside] of steps) {
          const write = renamed(rawWrite);
          // Memory is filled before the write, so the write must change or forget what it holds.
          for (const query of named) repository.readTotals(query);
          await writeIn(where, { handle, writer }, {
            here: () => apply(repository, write),
            there: () => apply(otherRepository, write),
            // Inside the transaction, a read after the write sees it (from memory in the batch).
            readInside: () => {
              if (readInside) for (const query of named) repository.readTotals(query);
            },
          });
          for (const query of named) expect(repository.readTotals(query), `${where}: ${JSON.stringify(write)}`).toEqual(truth(query));
          for (const userId of USERS) {
            const fromMemory = repository.findSettings(prefix + userId);
            expect(fromMemory).toEqual(file.handle.sqlite.transaction(() => repository.findSettings(prefix + userId))());
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a batch read that a rollback undid is not kept', async () => {
    const repository = createGovernanceRepository(file.handle);
    const writer = createGroupCommit(file.handle.sqlite);
    const query = { ...queries[0]!, userId: 'solo' };
    repository.createWindow({ userId: 'solo', startsAtMs: query.period.startsAtMs, endsAtMs: query.period.endsAtMs }, () => ({
      month: { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) },
      services: new Map(),
    }));
    const n = signedMsat(500);
    const scope = { userId: 'solo', atMs: 1_200, serviceId: 'jokes', taskId: null };
    await expect(
      writer.submit(() => {
        repository.addToTotals(scope, { postedMsat: n, pendingMsat: n, feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) }, true);
        expect(repository.readTotals(query).month?.postedMsat).toBe(500);
        throw new Error('the unit fails');
      }),
    ).rejects.toThrow('the unit fails');
    expect(repository.readTotals(query).month?.postedMsat).toBe(0);
    expect(repository.readTotals(query).service).toBeNull();
  });

  it("a person's first spend at another service reads nothing: the window's service rows were learnt with it", () => {
    const repository = createGovernanceRepository(file.handle);
    const jokes = { ...queries[0]!, userId: 'cat', task: null };
    const zero = { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };
    const weatherTotals = { ...zero, postedMsat: msat(7) };
    repository.createWindow({ userId: 'cat', startsAtMs: jokes.period.startsAtMs, endsAtMs: jokes.period.endsAtMs }, () => ({
      month: zero,
      services: new Map([['weather', weatherTotals]]),
    }));
    repository.recordPeriod(jokes, { timeZone: 'UTC', limitJson: null, nowMs: 1 });
    repository.readTotals(jokes); // learns the window, with every service's row
    // A row memory could only know by reading the database: written here behind its back, on its own
    // connection (so nothing tells memory), the next reads show whether they went to the database.
    file.handle.sqlite
      .prepare("INSERT INTO governance_window_usage (user_id, starts_at_ms, ends_at_ms, service_id, posted_msat, pending_msat, fee_reserve_msat, refund_credit_msat) VALUES ('cat', ?, ?, 'sneaked', 5, 0, 0, 0)")
      .run(jokes.period.startsAtMs, jokes.period.endsAtMs);
    expect(repository.readTotals({ ...jokes, serviceId: 'weather' }).service).toEqual(weatherTotals);
    expect(repository.readTotals({ ...jokes, serviceId: 'sneaked' }).service).toBeNull(); // from memory: no row when learnt
    expect(file.handle.sqlite.transaction(() => repository.readTotals({ ...jokes, serviceId: 'sneaked' }))().service?.postedMsat).toBe(5);
  });

  it("a busy person's many tasks: the oldest are forgotten and read again, every read still right", async () => {
    const repository = createGovernanceRepository(file.handle);
    const writer = createGroupCommit(file.handle.sqlite);
    const base = { ...queries[0]!, userId: 'busy' };
    const zero = { postedMsat: msat(0), pendingMsat: msat(0), feeReserveMsat: msat(0), refundCreditMsat: msat(0) };
    repository.createWindow({ userId: 'busy', startsAtMs: base.period.startsAtMs, endsAtMs: base.period.endsAtMs }, () => ({ month: zero, services: new Map() }));
    const taskQuery = (i: number) => ({ ...base, task: { id: `task-${String(i).padStart(4, '0')}`, startedAtMs: 0 } });
    const truth = (query: UsageQuery) => file.handle.sqlite.transaction(() => repository.readTotals(query))();
    // More tasks than memory keeps for one person (256 rows), each spending twice, in batches as the app does.
    for (let i = 0; i < 600; i += 1) {
      const n = signedMsat(i + 1);
      const scope = { userId: 'busy', atMs: 1_200, serviceId: 'jokes', taskId: taskQuery(i).task.id };
      await writer.submit(() => {
        repository.readTotals(taskQuery(i));
        repository.addToTotals(scope, { postedMsat: n, pendingMsat: n, feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) }, true);
        repository.addToTotals(scope, { postedMsat: n, pendingMsat: n, feeReserveMsat: signedMsat(0), refundCreditMsat: signedMsat(0) }, true);
      });
      expect(repository.readTotals(taskQuery(i)).task?.postedMsat).toBe(2 * (i + 1));
    }
    for (const i of [0, 1, 299, 598, 599]) expect(repository.readTotals(taskQuery(i))).toEqual(truth(taskQuery(i)));
    expect(repository.readTotals(base).month?.postedMsat).toBe(600 * 601);
  });
});
