// Property tests: thousands of random interleavings of transfers, reservations, posts (partial and
// full), voids, expiries, replays and reused keys, checked against a plain in-memory model after every
// step, with the ledger's own invariant audit after every step too. The model keeps what the entries
// hold (a reservation moves no money) and each user's pending holds apart; the ledger's views (allBalances:
// available net of holds, reserved = holds) are derived from both, and so is what its tables hold.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { msat } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import {
  accountCode,
  createLedger,
  providerAccount,
  refundsAccount,
  routingFeesAccount,
  stripeAccount,
  treasuryAccount,
  userAvailableAccount,
  userReservedAccount,
  type AccountRef,
  type Ledger,
} from './index';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';
import { foldLedger, PENDING_HOLDS_BY_USER } from '../../db/repositories/ledger-folds';

const USERS = ['alice', 'bob', 'carol'] as const;
const PROVIDERS = ['jokes', 'weather'] as const;
const PER_USER_RESERVED_CAP_MSAT = 40_000; // the precondition's stand-in for a budget
const ALL_ACCOUNTS: AccountRef[] = [
  stripeAccount,
  refundsAccount,
  treasuryAccount,
  routingFeesAccount,
  ...PROVIDERS.map((p) => providerAccount(p)),
  ...USERS.flatMap((u) => [userAvailableAccount(u), userReservedAccount(u)]),
];

// The bar is 10,000 random operations per run, met on SQLite. On PostgreSQL (npm run
// test:postgres) every statement is a network round trip and every run migrates a fresh schema, so the
// same properties run a fifth as often there and must reach a tenth of the operations (a run's length is
// random: the margin keeps a short draw from failing the bar): a check that they hold there too.
const RUNS = onPostgres ? 0.2 : 1;
const OPERATIONS_BAR = onPostgres ? 1_000 : 10_000;

let operationsRun = 0;
afterAll(() => {
  // The bar: at least 10,000 random ledger operations per test run.
  expect(operationsRun).toBeGreaterThanOrEqual(OPERATIONS_BAR);
});

interface ModelReservation {
  id: number;
  userId: string;
  amountMsat: number;
  expiresAtMs: number;
  status: 'pending' | 'posted' | 'voided' | 'expired';
}

/** A request that succeeded, kept so it can be replayed exactly or with its payload changed. */
interface Replayable {
  replay(ledger: Ledger): { ok: boolean; replayed?: boolean; reason?: string };
  withChangedPayload(ledger: Ledger): { ok: boolean; reason?: string };
}

interface Model {
  nowMs: number;
  nextKey: number;
  /** Each account's balance as its entries sum it. */
  balances: Map<string, number>;
  /** Each user's pending holds: the sum of their pending reservations. */
  holds: Map<string, number>;
  reservations: ModelReservation[];
  succeeded: Replayable[];
}

interface Real {
  ledger: Ledger;
  clock: { nowMs: number };
  handle: DatabaseHandle;
}

const move = (m: Model, ref: AccountRef, deltaMsat: number) => {
  const code = accountCode(ref);
  m.balances.set(code, (m.balances.get(code) ?? 0) + deltaMsat);
};
const balance = (m: Model, ref: AccountRef) => m.balances.get(accountCode(ref)) ?? 0;
const holds = (m: Model, userId: string) => m.holds.get(userId) ?? 0;
const hold = (m: Model, userId: string, deltaMsat: number) => m.holds.set(userId, holds(m, userId) + deltaMsat);
/** What the ledger reports for an account: a user's holds count as out of available and in reserved. */
const heldView = (m: Model, ref: AccountRef) => {
  if (ref.kind === 'user_available') return balance(m, ref) - holds(m, ref.userId);
  if (ref.kind === 'user_reserved') return balance(m, ref) + holds(m, ref.userId);
  return balance(m, ref);
};
const freshKey = (m: Model) => `k${m.nextKey++}`;

function checkAgainstModel(m: Model, r: Real): void {
  operationsRun += 1;
  const actual = new Map<string, number>(r.ledger.allBalances().map((a) => [a.code, a.balanceMsat]));
  const codes = ALL_ACCOUNTS.map(accountCode);
  expect([...actual.keys()].filter((code) => !codes.includes(code))).toEqual([]);
  // An account not created yet has no entries: its balance is 0.
  expect(Object.fromEntries(codes.map((code) => [code, actual.get(code) ?? 0]))).toEqual(
    Object.fromEntries(ALL_ACCOUNTS.map((ref) => [accountCode(ref), heldView(m, ref)])),
  );
  // The tables themselves: balances as the entries sum them (no reserved account ever holds money),
  // and the recorded holds (the folded table and the transfers after the fold mark) equal to each
  // user's pending reservations (no row, or 0, for none).
  const raw = r.handle.sqlite
    .prepare('SELECT a.code AS code, b.balance_msat AS balance FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id')
    .all() as { code: string; balance: number }[];
  const rawBalances = new Map(raw.map((row) => [row.code, row.balance]));
  expect(Object.fromEntries(codes.map((code) => [code, rawBalances.get(code) ?? 0]))).toEqual(
    Object.fromEntries(ALL_ACCOUNTS.map((ref) => [accountCode(ref), balance(m, ref)])),
  );
  const recorded = r.handle.sqlite.prepare(`SELECT user_id AS "userId", pending_msat AS pending FROM (${PENDING_HOLDS_BY_USER}) h`).all() as { userId: string; pending: number }[];
  const recordedHolds = new Map(recorded.map((row) => [row.userId, row.pending]));
  const pendingSums = (userId: string) =>
    m.reservations.filter((x) => x.status === 'pending' && x.userId === userId).reduce((total, x) => total + x.amountMsat, 0);
  for (const userId of USERS) {
    expect(recordedHolds.get(userId) ?? 0).toBe(holds(m, userId));
    expect(holds(m, userId)).toBe(pendingSums(userId));
  }
  // Pending reservations of one user per step (rotating): the full list is costly to map each time.
  const userId = USERS[operationsRun % USERS.length]!;
  const pending = m.reservations.filter((x) => x.status === 'pending' && x.userId === userId).map((x) => x.id);
  expect(r.ledger.pendingReservations(userId).map((x) => x.id)).toEqual(pending);
  r.ledger.checkInvariants();
}

type LedgerCommand = fc.Command<Model, Real>;

class TransferCommand implements LedgerCommand {
  constructor(
    readonly debit: AccountRef,
    readonly credit: AccountRef,
    readonly amountMsat: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const request = {
      idempotencyKey: freshKey(m),
      debit: this.debit,
      credit: this.credit,
      amountMsat: msat(this.amountMsat),
    };
    const unbounded = this.debit.kind === 'stripe' || this.debit.kind === 'refunds';
    // Held money cannot leave by a transfer: a user's available funds count net of their holds.
    const expectOk = unbounded || heldView(m, this.debit) >= this.amountMsat;
    const result = r.ledger.transfer(request);
    expect(result).toMatchObject(expectOk ? { ok: true, replayed: false } : { ok: false, reason: 'insufficient_funds' });
    if (expectOk) {
      move(m, this.debit, -this.amountMsat);
      move(m, this.credit, this.amountMsat);
      m.succeeded.push({
        replay: (ledger) => ledger.transfer(request),
        withChangedPayload: (ledger) => ledger.transfer({ ...request, amountMsat: msat(request.amountMsat + 1) }),
      });
    }
    checkAgainstModel(m, r);
  }
  toString = () => `transfer(${accountCode(this.debit)} -> ${accountCode(this.credit)}, ${this.amountMsat})`;
}

class ReserveCommand implements LedgerCommand {
  constructor(
    readonly userId: string,
    readonly provider: string,
    readonly amountMsat: number,
    readonly ttlMs: number,
    readonly withBudget: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const userId = this.userId;
    const request = {
      idempotencyKey: freshKey(m),
      userId,
      destination: providerAccount(this.provider),
      amountMsat: msat(this.amountMsat),
      expiresAtMs: m.nowMs + this.ttlMs,
    };
    const overBudget = this.withBudget && holds(m, userId) + this.amountMsat > PER_USER_RESERVED_CAP_MSAT;
    const insufficient = heldView(m, userAvailableAccount(userId)) < this.amountMsat;
    const result = r.ledger.reserve({
      ...request,
      // Reads the ledger from inside the reservation's transaction, as the budget check will.
      precondition: this.withBudget
        ? ({ amountMsat }) =>
            r.ledger.userBalances(userId).reservedMsat + amountMsat > PER_USER_RESERVED_CAP_MSAT
              ? { ok: false, reason: 'over_budget' as const }
              : { ok: true }
        : undefined,
    });
    if (overBudget) expect(result).toEqual({ ok: false, reason: 'over_budget' });
    else if (insufficient) expect(result).toEqual({ ok: false, reason: 'insufficient_funds' });
    else {
      if (!result.ok) throw new Error(`expected reservation, got ${result.reason}`);
      expect(result.reservation).toMatchObject({ status: 'pending', amountMsat: this.amountMsat, userId });
      hold(m, userId, this.amountMsat); // no money moves
      m.reservations.push({
        id: result.reservation.id,
        userId,
        amountMsat: this.amountMsat,
        expiresAtMs: request.expiresAtMs,
        status: 'pending',
      });
      // Replays carry no precondition: an accepted reservation is never re-judged.
      m.succeeded.push({
        replay: (ledger) => ledger.reserve(request),
        withChangedPayload: (ledger) => ledger.reserve({ ...request, expiresAtMs: request.expiresAtMs + 1 }),
      });
    }
    checkAgainstModel(m, r);
  }
  toString = () =>
    `reserve(${this.userId}, ${this.provider}, ${this.amountMsat}, ttl ${this.ttlMs}${this.withBudget ? ', budget' : ''})`;
}

/** Picks a known reservation (or an id that is not one) by a generated index. */
function target(m: Model, pick: number): ModelReservation | undefined {
  return m.reservations.length === 0 ? undefined : m.reservations[pick % m.reservations.length];
}

class PostCommand implements LedgerCommand {
  constructor(
    readonly pick: number,
    readonly paidPermille: number, // of the reservation; above 1000 tries to overspend
    readonly feeMsat: number,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  run(m: Model, r: Real): void {
    const reservation = target(m, this.pick)!;
    const amountMsat = Math.floor((reservation.amountMsat * this.paidPermille) / 1000);
    const request = {
      idempotencyKey: freshKey(m),
      reservationId: reservation.id,
      amountMsat: msat(amountMsat),
      feeMsat: msat(this.feeMsat),
    };
    const result = r.ledger.post(request);
    if (reservation.status !== 'pending') {
      expect(result).toMatchObject({ ok: false, reason: 'already_resolved', reservation: { status: reservation.status } });
    } else if (amountMsat + this.feeMsat > reservation.amountMsat) {
      expect(result).toEqual({ ok: false, reason: 'amount_exceeds_reservation' });
    } else {
      const released = reservation.amountMsat - amountMsat - this.feeMsat;
      expect(result).toMatchObject({
        ok: true,
        replayed: false,
        reservation: { status: 'posted', resolution: { paidMsat: amountMsat, feeMsat: this.feeMsat, releasedMsat: released } },
      });
      reservation.status = 'posted';
      const destination = result.ok ? result.reservation.destination : '';
      m.balances.set(destination, (m.balances.get(destination) ?? 0) + amountMsat);
      move(m, routingFeesAccount, this.feeMsat);
      move(m, userAvailableAccount(reservation.userId), -(amountMsat + this.feeMsat));
      hold(m, reservation.userId, -reservation.amountMsat);
      m.succeeded.push({
        replay: (ledger) => ledger.post(request),
        withChangedPayload: (ledger) => ledger.post({ ...request, feeMsat: msat(request.feeMsat + 1) }),
      });
    }
    checkAgainstModel(m, r);
  }
  toString = () => `post(#${this.pick}, ${this.paidPermille}‰, fee ${this.feeMsat})`;
}

class VoidCommand implements LedgerCommand {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  run(m: Model, r: Real): void {
    const reservation = target(m, this.pick)!;
    const request = { idempotencyKey: freshKey(m), reservationId: reservation.id, reason: 'payment_failed' };
    const result = r.ledger.void(request);
    if (reservation.status !== 'pending') {
      expect(result).toMatchObject({ ok: false, reason: 'already_resolved' });
    } else {
      expect(result).toMatchObject({ ok: true, replayed: false, reservation: { status: 'voided' } });
      reservation.status = 'voided';
      hold(m, reservation.userId, -reservation.amountMsat);
      m.succeeded.push({
        replay: (ledger) => ledger.void(request),
        withChangedPayload: (ledger) => ledger.void({ ...request, reason: 'other' }),
      });
    }
    checkAgainstModel(m, r);
  }
  toString = () => `void(#${this.pick})`;
}

class AdvanceAndExpireCommand implements LedgerCommand {
  constructor(readonly advanceMs: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.nowMs += this.advanceMs;
    r.clock.nowMs = m.nowMs;
    const due = m.reservations.filter((x) => x.status === 'pending' && x.expiresAtMs <= m.nowMs);
    const { expired } = r.ledger.expire();
    expect(expired.map((x) => x.id)).toEqual(due.map((x) => x.id));
    for (const reservation of due) {
      reservation.status = 'expired';
      hold(m, reservation.userId, -reservation.amountMsat);
    }
    checkAgainstModel(m, r);
  }
  toString = () => `advance(${this.advanceMs}) + expire`;
}

class ReplayCommand implements LedgerCommand {
  constructor(
    readonly pick: number,
    readonly changePayload: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.succeeded.length > 0;
  run(m: Model, r: Real): void {
    const prior = m.succeeded[this.pick % m.succeeded.length]!;
    if (this.changePayload) {
      expect(prior.withChangedPayload(r.ledger)).toEqual({ ok: false, reason: 'idempotency_conflict' });
    } else {
      expect(prior.replay(r.ledger)).toMatchObject({ ok: true, replayed: true });
    }
    checkAgainstModel(m, r); // balances unchanged: the model was not touched
  }
  toString = () => `${this.changePayload ? 'reuse-key' : 'replay'}(#${this.pick})`;
}

class UnknownReservationCommand implements LedgerCommand {
  check = () => true;
  run(m: Model, r: Real): void {
    const reservationId = 1_000_000 + m.nextKey;
    expect(
      r.ledger.post({ idempotencyKey: freshKey(m), reservationId, amountMsat: msat(1), feeMsat: msat(0) }),
    ).toEqual({ ok: false, reason: 'not_found' });
    checkAgainstModel(m, r);
  }
  toString = () => 'post(unknown)';
}

/** The writer folds every transfer after the mark (as at a stop): the holds read the same after it. */
class FoldCommand implements LedgerCommand {
  check = () => true;
  run(m: Model, r: Real): void {
    foldLedger(r.handle.sqlite);
    // Folded, the table alone holds each person's holds (PostgreSQL writes them with each transfer).
    const table = r.handle.sqlite.prepare('SELECT user_id AS "userId", pending_msat AS pending FROM ledger_pending_holds').all() as { userId: string; pending: number }[];
    const folded = new Map(table.map((row) => [row.userId, row.pending]));
    for (const userId of USERS) expect(folded.get(userId) ?? 0).toBe(holds(m, userId));
    checkAgainstModel(m, r);
  }
  toString = () => 'fold';
}

const user = fc.constantFrom(...USERS);
const amount = fc.integer({ min: 1, max: 30_000 });
const commandArbitraries = [
  fc.tuple(user, amount).map(([u, a]) => new TransferCommand(stripeAccount, userAvailableAccount(u), a)),
  fc.tuple(user, amount).map(([u, a]) => new TransferCommand(refundsAccount, userAvailableAccount(u), a)),
  amount.map((a) => new TransferCommand(stripeAccount, treasuryAccount, a)),
  fc.tuple(user, amount).map(([u, a]) => new TransferCommand(treasuryAccount, userAvailableAccount(u), a)),
  fc.tuple(user, amount).map(([u, a]) => new TransferCommand(userAvailableAccount(u), treasuryAccount, a)),
  fc
    .tuple(user, fc.constantFrom(...PROVIDERS), amount, fc.integer({ min: 1, max: 5_000 }), fc.boolean())
    .map(([u, p, a, ttl, budget]) => new ReserveCommand(u, p, a, ttl, budget)),
  fc
    .tuple(user, fc.constantFrom(...PROVIDERS), amount, fc.integer({ min: 1, max: 5_000 }), fc.boolean())
    .map(([u, p, a, ttl, budget]) => new ReserveCommand(u, p, a, ttl, budget)),
  fc
    .tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1001, max: 1200 })), fc.nat({ max: 500 }))
    .map(([pick, permille, fee]) => new PostCommand(pick, permille, fee)),
  fc.nat().map((pick) => new VoidCommand(pick)),
  fc.integer({ min: 0, max: 3_000 }).map((ms) => new AdvanceAndExpireCommand(ms)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, change]) => new ReplayCommand(pick, change)),
  fc.constant(new UnknownReservationCommand()),
  fc.constant(new FoldCommand()),
];

describe('ledger under random operation sequences', () => {
  it('matches the model and keeps every invariant after every step', () => {
    fc.assert(
      fc.property(fc.commands(commandArbitraries, { maxCommands: 200, size: 'max' }), (commands) => {
        const handle: DatabaseHandle = openDatabase(':memory:');
        try {
          const clock = { nowMs: Date.UTC(2026, 0, 1) };
          const model: Model = { nowMs: clock.nowMs, nextKey: 0, balances: new Map(), holds: new Map(), reservations: [], succeeded: [] };
          fc.modelRun(() => ({ model, real: { ledger: createLedger(handle, { now: () => clock.nowMs }), clock, handle } }), commands);
        } finally {
          handle.close();
        }
      }),
      { numRuns: Math.ceil(120 * RUNS) },
    );
    // 120 runs of up to 200 commands, each on a freshly migrated database: ~7 s alone, several times
    // that when the suite's other workers share the 2 cores.
  }, 90_000);
});

type FlowEnding = { kind: 'post'; paidPermille: number; feeMsat: number } | { kind: 'void' } | { kind: 'abandon' };
interface Flow {
  amountMsat: number;
  ttlMs: number;
  ending: FlowEnding;
  retryOf: number | null; // resubmits an earlier flow's request with the same key, as a client retry would
}

const flowArbitrary: fc.Arbitrary<Flow> = fc.record({
  amountMsat: fc.integer({ min: 1, max: 4_000 }),
  ttlMs: fc.integer({ min: 1, max: 2_000 }),
  ending: fc.oneof(
    fc.record({ kind: fc.constant('post' as const), paidPermille: fc.integer({ min: 0, max: 1000 }), feeMsat: fc.nat({ max: 50 }) }),
    fc.constant({ kind: 'void' as const }),
    fc.constant({ kind: 'abandon' as const }),
  ),
  retryOf: fc.option(fc.nat(), { freq: 4 }),
});

const FUNDS_MSAT = 10_000;
const allowedRefusals = new Set(['insufficient_funds', 'expiry_in_past', 'already_resolved']);

describe('many reservations racing one small account', () => {
  it('interleaved async flows never overdraw, and every attempt is reserved or refused by name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(flowArbitrary, { minLength: 10, maxLength: 40, size: 'max' }),
        fc.array(fc.integer({ min: 1, max: 1_500 }), { minLength: 1, maxLength: 6 }),
        async (scheduler, flows, expirySteps) => {
          const handle = openDatabase(':memory:');
          const clock = { nowMs: Date.UTC(2026, 0, 1) };
          const ledger = createLedger(handle, { now: () => clock.nowMs });
          const alice = userAvailableAccount('alice');
          ledger.transfer({ idempotencyKey: 'fund', debit: stripeAccount, credit: alice, amountMsat: msat(FUNDS_MSAT) });
          let spentMsat = 0; // paid + fees, tallied from successful posts

          /** After every operation: money conserved and the account never overdrawn. */
          const afterOperation = (result: { ok: boolean; reason?: string }) => {
            operationsRun += 1;
            if (!result.ok) expect(allowedRefusals.has(result.reason ?? '')).toBe(true);
            const { availableMsat, reservedMsat } = ledger.userBalances('alice');
            expect(availableMsat + reservedMsat + spentMsat).toBe(FUNDS_MSAT);
            ledger.checkInvariants();
          };

          const requests = flows.map((flow, i) => {
            const original = flow.retryOf === null || i === 0 ? i : flow.retryOf % i;
            const source = flows[original]!;
            return {
              idempotencyKey: `reserve-${original}`,
              userId: 'alice',
              destination: providerAccount('jokes'),
              amountMsat: msat(source.amountMsat),
              expiresAtMs: clock.nowMs + source.ttlMs,
            };
          });

          const runFlow = async (flow: Flow, i: number) => {
            await scheduler.schedule(Promise.resolve(), `flow ${i} reserves`);
            const reserved = ledger.reserve(requests[i]!);
            afterOperation(reserved);
            if (!reserved.ok || reserved.replayed || flow.ending.kind === 'abandon') return;
            await scheduler.schedule(Promise.resolve(), `flow ${i} resolves`);
            const reservationId = reserved.reservation.id;
            if (flow.ending.kind === 'void') {
              afterOperation(ledger.void({ idempotencyKey: `void-${i}`, reservationId, reason: 'payment_failed' }));
              return;
            }
            const paidMsat = Math.floor((reserved.reservation.amountMsat * flow.ending.paidPermille) / 1000);
            const feeMsat = Math.min(flow.ending.feeMsat, reserved.reservation.amountMsat - paidMsat);
            const posted = ledger.post({ idempotencyKey: `post-${i}`, reservationId, amountMsat: msat(paidMsat), feeMsat: msat(feeMsat) });
            if (posted.ok) spentMsat += paidMsat + feeMsat;
            else expect(posted.reason).toBe('already_resolved'); // only the expiry sweep can get there first
            afterOperation(posted);
          };

          const sweeper = async () => {
            for (const stepMs of expirySteps) {
              await scheduler.schedule(Promise.resolve(), `advance ${stepMs} ms and expire`);
              clock.nowMs += stepMs;
              ledger.expire();
              afterOperation({ ok: true });
            }
          };

          try {
            await scheduler.waitFor(Promise.all([...flows.map(runFlow), sweeper()]));
            clock.nowMs += 10_000;
            ledger.expire();
            expect(ledger.pendingReservations()).toEqual([]);
            expect(ledger.userBalances('alice')).toEqual({ availableMsat: FUNDS_MSAT - spentMsat, reservedMsat: 0 });
            expect(ledger.balanceMsat(providerAccount('jokes')) + ledger.balanceMsat(routingFeesAccount)).toBe(spentMsat);
          } finally {
            handle.close();
          }
        },
      ),
      { numRuns: Math.ceil(100 * RUNS) },
    );
  });
});
