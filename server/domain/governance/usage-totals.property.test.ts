// Property test for the typed usage columns: random interleavings of reservations (budget-checked or
// not, with or without governance metadata, in several time zones), posts, voids, expiries, refund
// credits and clock moves across month ends (forwards and back). After every step the stored columns
// must equal the usage recomputed from the ledger's rows by the one rule (budget.ts reservationUsage,
// via checkUsageTotals), and usage() must equal a plain in-memory model of the definition, written
// out independently here, whether it answers from the columns or by scanning. The ledger's own
// invariants (incl. cached balances) are checked at the end of each run.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import { openDatabase } from '../../db/client';
import type { UsageTotals } from '../../db/repositories/governance-repository';
import { createLedger, providerAccount, stripeAccount, userAvailableAccount, type JsonObject, type Ledger, type Reservation } from '../ledger';
import { createGovernance, type Governance } from './governance';
import { periodFor } from './period';
import { onPostgres } from '../../../scripts/postgres/test-backend/locations';

const USERS = ['alice', 'bob'] as const;
const SERVICES = ['jokes', 'weather'] as const;
const TASKS = ['task-1', 'task-2'] as const;
// Kathmandu (+05:45) and New York (DST in March) give month windows that differ from UTC's.
const ZONES = ['UTC', 'America/New_York', 'Asia/Kathmandu'] as const;
const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000));
const START_MS = Date.parse('2026-03-30T20:00:00Z'); // close to a month end in every zone
const DAY_MS = 86_400_000;
// Tight enough that budget checks refuse sometimes, so refusals are exercised too.
const SETTINGS: GovernanceSettings = {
  ...DEFAULT_GOVERNANCE_SETTINGS,
  monthlyLimit: { unit: 'sat', msat: msat(400_000) },
  taskCap: { unit: 'sat', msat: msat(150_000) },
  serviceRules: [{ serviceId: 'weather', rule: null, monthlyCap: { unit: 'sat', msat: msat(120_000) } }],
};

// The bar is 10,000 random operations per run, met on SQLite. On PostgreSQL (npm run
// test:postgres) every statement is a network round trip and every run migrates a fresh schema, so the
// same properties run a fifth as often there and must reach a tenth of the operations: a check that they
// hold there too. A run's length is random: 200 runs made about 11,000 operations, once only 9,662, so
// 240 runs keep such a short draw above the bar.
const RUNS = onPostgres ? 0.2 : 1;
const OPERATIONS_BAR = onPostgres ? 1_000 : 10_000;

let operationsRun = 0;
afterAll(() => {
  expect(operationsRun).toBeGreaterThanOrEqual(OPERATIONS_BAR);
});

/** What the model remembers of a reservation: what governance reads from its row. */
interface ModelReservation {
  id: number;
  userId: string;
  createdAtMs: number;
  amountMsat: number;
  metadata: JsonObject | null;
  resolution: { kind: 'post' | 'void' | 'expire'; paidMsat: number; feeMsat: number; transferId: number } | null;
  /** Refund credited for this spend (at most once, through its post's transfer id). */
  refundedMsat: number;
}
interface Model {
  nowMs: number;
  nextKey: number;
  reservations: ModelReservation[];
}
interface Real {
  ledger: Ledger;
  governance: Governance;
  clock: { nowMs: number };
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The definition of usage (budget.ts), written out independently over the model. */
function expectedTotals(reservations: readonly ModelReservation[], counts: (r: ModelReservation) => boolean): UsageTotals {
  let posted = 0;
  let pending = 0;
  let fee = 0;
  let credit = 0;
  for (const r of reservations.filter(counts)) {
    credit += r.refundedMsat;
    const feeReserve = typeof r.metadata?.feeReserveMsat === 'number' ? r.metadata.feeReserveMsat : 0;
    if (r.resolution === null) {
      pending += r.amountMsat - feeReserve;
      fee += feeReserve;
    } else if (r.resolution.kind === 'post') {
      posted += r.resolution.paidMsat + r.resolution.feeMsat;
    }
  }
  return { postedMsat: msat(posted), pendingMsat: msat(pending), feeReserveMsat: msat(fee), refundCreditMsat: msat(credit) };
}

function checkAll(r: Real): void {
  operationsRun += 1;
  r.governance.checkUsageTotals();
}

function record(m: Model, reservation: Reservation): void {
  const known = m.reservations.find((x) => x.id === reservation.id);
  const resolution =
    reservation.resolution === null
      ? null
      : {
          kind: reservation.resolution.kind,
          paidMsat: reservation.resolution.paidMsat,
          feeMsat: reservation.resolution.feeMsat,
          transferId: reservation.resolution.transferId,
        };
  if (known) known.resolution = resolution;
  else {
    m.reservations.push({
      id: reservation.id,
      userId: reservation.userId,
      createdAtMs: reservation.createdAtMs,
      amountMsat: reservation.amountMsat,
      metadata: reservation.metadata,
      resolution,
      refundedMsat: 0,
    });
  }
}

type Command = fc.Command<Model, Real>;

class ReserveCommand implements Command {
  constructor(
    readonly userId: string,
    readonly serviceId: string,
    readonly taskId: string | null,
    readonly amountMsat: number,
    readonly feeReserveMsat: number,
    readonly zone: string,
    readonly shape: 'budget' | 'plain' | 'bare' | 'odd',
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.nextKey += 1;
    const metadata: JsonObject | undefined =
      this.shape === 'bare'
        ? undefined
        : this.shape === 'odd' // ids that are not strings never match a query's ids
          ? { serviceId: 7, taskId: 8, feeReserveMsat: this.feeReserveMsat }
          : { serviceId: this.serviceId, taskId: this.taskId, feeReserveMsat: this.feeReserveMsat };
    const quote = { serviceId: this.serviceId, maxMsat: msat(this.amountMsat), feeAllowanceMsat: msat(this.feeReserveMsat), rate: RATE };
    const task = this.taskId === null ? null : { id: this.taskId, startedAtMs: START_MS - DAY_MS };
    const result = r.ledger.reserve({
      idempotencyKey: `reserve:${m.nextKey}`,
      userId: this.userId,
      destination: providerAccount(this.serviceId),
      amountMsat: msat(this.amountMsat),
      expiresAtMs: m.nowMs + 3 * 60 * 60_000,
      ...(metadata === undefined ? {} : { metadata }),
      ...(this.shape === 'budget'
        ? { precondition: r.governance.precondition({ userId: this.userId, timeZone: this.zone, settings: SETTINGS, quote, task }) }
        : {}),
    });
    if (result.ok) record(m, result.reservation);
    else expect(['exceeds_monthly_budget', 'exceeds_task_cap', 'exceeds_service_cap', 'insufficient_funds']).toContain(result.reason);
    checkAll(r);
  }
  toString = () =>
    `reserve(${this.userId}, ${this.serviceId}, ${this.taskId}, ${this.amountMsat}, fee ${this.feeReserveMsat}, ${this.zone}, ${this.shape})`;
}

class ResolveCommand implements Command {
  constructor(
    readonly pick: number,
    readonly kind: 'post' | 'void',
    readonly paidPermille: number,
    readonly feeMsat: number,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.some((x) => x.resolution === null);
  run(m: Model, r: Real): void {
    const open = m.reservations.filter((x) => x.resolution === null);
    const target = open[this.pick % open.length];
    if (!target) throw new Error('check() guarantees an open reservation');
    m.nextKey += 1;
    const idempotencyKey = `resolve:${m.nextKey}`;
    const paid = Math.floor((target.amountMsat * this.paidPermille) / 1000);
    const fee = Math.min(this.feeMsat, target.amountMsat - paid);
    const result =
      this.kind === 'post'
        ? r.ledger.post({ idempotencyKey, reservationId: target.id, amountMsat: msat(paid), feeMsat: msat(fee) })
        : r.ledger.void({ idempotencyKey, reservationId: target.id, reason: 'cancelled' });
    expect(result.ok).toBe(true);
    if (result.ok) record(m, result.reservation);
    checkAll(r);
  }
  toString = () => `${this.kind}(#${this.pick}, ${this.paidPermille}‰, fee ${this.feeMsat})`;
}

/** A refund credit for a posted spend (as disputes will record one): it lowers usage where the spend counted. */
class RefundCommand implements Command {
  constructor(
    readonly pick: number,
    readonly permille: number,
    readonly zone: string,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.some(refundable);
  run(m: Model, r: Real): void {
    const candidates = m.reservations.filter(refundable);
    const target = candidates[this.pick % candidates.length];
    if (!target?.resolution) throw new Error('check() guarantees a refundable reservation');
    const amount = Math.max(1, Math.floor(((target.resolution.paidMsat + target.resolution.feeMsat) * this.permille) / 1000));
    const credit = {
      ledgerTransferId: target.resolution.transferId,
      timeZone: this.zone,
      reservation: { userId: target.userId, createdAtMs: target.createdAtMs, metadata: target.metadata },
      amountMsat: msat(amount),
    };
    expect(r.governance.recordRefundCredit(credit)).toBe(true);
    expect(r.governance.recordRefundCredit(credit)).toBe(false); // once per transfer
    target.refundedMsat = amount;
    checkAll(r);
  }
  toString = () => `refund(#${this.pick}, ${this.permille}‰, ${this.zone})`;
}

/** Posted, paid something, attributed to a service, and not refunded yet. */
function refundable(x: ModelReservation): boolean {
  return x.resolution?.kind === 'post' && x.resolution.paidMsat + x.resolution.feeMsat > 0 && x.refundedMsat === 0 && text(x.metadata?.serviceId) !== null;
}

/** Moves the clock (mostly forward, across month ends; sometimes back) and runs the expiry sweep. */
class ClockCommand implements Command {
  constructor(readonly deltaMs: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.nowMs += this.deltaMs;
    r.clock.nowMs = m.nowMs;
    for (const expired of r.ledger.expire().expired) record(m, expired);
    checkAll(r);
  }
  toString = () => `clock(${this.deltaMs >= 0 ? '+' : ''}${this.deltaMs})`;
}

/** Reads usage as a budget screen or check would, and compares it with the model. */
class ReadUsageCommand implements Command {
  constructor(
    readonly userId: string,
    readonly serviceId: string,
    readonly taskId: string | null,
    readonly taskStartOffsetMs: number,
    readonly zone: string,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const period = periodFor(new Date(m.nowMs), this.zone);
    const startsAtMs = period.startsAt.getTime();
    const endsAtMs = period.endsAt.getTime();
    const task = this.taskId === null ? null : { id: this.taskId, startedAtMs: START_MS + this.taskStartOffsetMs };
    const usage = r.governance.usage({
      userId: this.userId,
      period: { periodKey: period.periodKey, startsAtMs, endsAtMs },
      serviceId: this.serviceId,
      task,
    });
    const mine = m.reservations.filter((x) => x.userId === this.userId);
    const inMonth = (x: ModelReservation) => x.createdAtMs >= startsAtMs && x.createdAtMs < endsAtMs;
    expect(usage).toEqual({
      month: expectedTotals(mine, inMonth),
      service: expectedTotals(mine, (x) => inMonth(x) && text(x.metadata?.serviceId) === this.serviceId),
      task: expectedTotals(
        mine,
        (x) =>
          task !== null &&
          text(x.metadata?.taskId) === task.id &&
          x.createdAtMs >= task.startedAtMs &&
          x.createdAtMs < endsAtMs,
      ),
    });
    checkAll(r);
  }
  toString = () => `read(${this.userId}, ${this.serviceId}, ${this.taskId}, start ${this.taskStartOffsetMs}, ${this.zone})`;
}

const user = fc.constantFrom(...USERS);
const service = fc.constantFrom(...SERVICES);
const taskId = fc.option(fc.constantFrom(...TASKS), { freq: 3 });
const zone = fc.constantFrom(...ZONES);
const commands = [
  fc
    .tuple(user, service, taskId, fc.integer({ min: 1, max: 60_000 }), fc.nat({ max: 2_000 }), zone,
      fc.constantFrom('budget' as const, 'budget' as const, 'budget' as const, 'plain' as const, 'bare' as const, 'odd' as const))
    .filter(([, , , amount, fee]) => fee <= amount)
    .map((args) => new ReserveCommand(...args)),
  fc
    .tuple(fc.nat(), fc.constantFrom('post' as const, 'void' as const), fc.integer({ min: 0, max: 1000 }), fc.nat({ max: 3_000 }))
    .map((args) => new ResolveCommand(...args)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 1000 }), zone).map((args) => new RefundCommand(...args)),
  fc.oneof(fc.integer({ min: 0, max: 3 * 60 * 60_000 }), fc.integer({ min: -DAY_MS, max: 3 * DAY_MS })).map((ms) => new ClockCommand(ms)),
  fc
    .tuple(user, service, taskId, fc.integer({ min: -2 * DAY_MS, max: 2 * DAY_MS }), zone)
    .map((args) => new ReadUsageCommand(...args)),
];

describe('usage totals under random operation sequences', () => {
  it('always equal their recomputation from the reservations, and usage() always equals the model', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 150, size: 'max' }), (sequence) => {
        const handle = openDatabase(':memory:');
        try {
          const clock = { nowMs: START_MS };
          const governance = createGovernance(handle, { now: () => clock.nowMs });
          const ledger = createLedger(handle, { now: () => clock.nowMs, observer: governance.usageObserver });
          for (const userId of USERS) {
            const funded = ledger.transfer({
              idempotencyKey: `fund:${userId}`,
              debit: stripeAccount,
              credit: userAvailableAccount(userId),
              amountMsat: msat(5_000_000),
            });
            expect(funded.ok).toBe(true);
          }
          const model: Model = { nowMs: START_MS, nextKey: 0, reservations: [] };
          fc.modelRun(() => ({ model, real: { ledger, governance, clock } }), sequence);
          ledger.checkInvariants(); // the ledger's own property test checks it after every step
        } finally {
          handle.close();
        }
      }),
      { numRuns: Math.ceil(240 * RUNS) },
    );
    // 30,000 full audits (each recomputes every total from every reservation): generous for a shared machine.
  }, 180_000);
});
