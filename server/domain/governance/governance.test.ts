// Governance against the real ledger and database: usage as the ledger sees it, the precondition inside
// the reservation transaction, refund credits, alert idempotency, history, and races (in one process
// and across processes on one database file).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings, type SpendQuote } from '../../../shared/governance';
import { btcUsdRateFromCentsPerBtc, msat, usdCents } from '../../../shared/money';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import {
  createLedger,
  providerAccount,
  refundsAccount,
  stripeAccount,
  userAvailableAccount,
  type Ledger,
} from '../ledger';
import { budgetReservationMetadata, type BudgetCheck } from './budget-precondition';
import { usedMsat } from './budget';
import { createGovernance, type Governance } from './governance';
import { testDatabaseLocation } from '../../../scripts/postgres/test-backend/locations';

const RATE = btcUsdRateFromCentsPerBtc(usdCents(10_000_000)); // 1 cent = 10,000 msat
const TZ = 'America/New_York';
const MARCH_10 = Date.parse('2026-03-10T15:00:00Z');
const sats = (amount: number) => ({ unit: 'sat' as const, msat: msat(amount * 1000) });

let handle: DatabaseHandle;
let ledger: Ledger;
let governance: Governance;
let nowMs: number;

beforeEach(() => {
  handle = openDatabase(':memory:');
  nowMs = MARCH_10;
  governance = createGovernance(handle, { now: () => nowMs });
  ledger = createLedger(handle, { now: () => nowMs, observer: governance.usageObserver });
});
afterEach(() => {
  ledger.checkInvariants();
  governance.checkUsageTotals();
  handle.close();
});

function fund(userId: string, amount: number) {
  const result = ledger.transfer({
    idempotencyKey: `fund:${userId}:${amount}:${nowMs}`,
    debit: stripeAccount,
    credit: userAvailableAccount(userId),
    amountMsat: msat(amount),
  });
  expect(result.ok).toBe(true);
}

function quote(maxMsat: number, serviceId = 'jokes', feeAllowanceMsat = 0): SpendQuote {
  return { serviceId, maxMsat: msat(maxMsat), feeAllowanceMsat: msat(feeAllowanceMsat), rate: RATE };
}

let keyCounter = 0;
function reserve(
  spend: SpendQuote,
  options: { settings?: GovernanceSettings; task?: BudgetCheck['task']; authorizedOverageMsat?: number; userId?: string } = {},
) {
  const userId = options.userId ?? 'alice';
  keyCounter += 1;
  return ledger.reserve({
    idempotencyKey: `reserve:${keyCounter}`,
    userId,
    destination: providerAccount(spend.serviceId),
    amountMsat: spend.maxMsat,
    expiresAtMs: nowMs + 60_000,
    metadata: budgetReservationMetadata({
      serviceId: spend.serviceId,
      taskId: options.task?.id ?? null,
      feeReserveMsat: spend.feeAllowanceMsat,
    }),
    precondition: governance.precondition({
      userId,
      timeZone: TZ,
      settings: options.settings ?? governance.settingsFor(userId),
      quote: spend,
      task: options.task ?? null,
      ...(options.authorizedOverageMsat === undefined ? {} : { authorizedOverageMsat: msat(options.authorizedOverageMsat) }),
    }),
  });
}

function reservationId(result: ReturnType<typeof reserve>): number {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.reservation.id;
}

function monthUsage(serviceId = 'jokes', task: BudgetCheck['task'] = null) {
  return governance.decideSpend({ userId: 'alice', timeZone: TZ, quote: quote(1, serviceId), task }).usage;
}

describe('usage read from the ledger', () => {
  it('counts posted amount + fee, pending holds split from their fee reserve, and nothing for voids', () => {
    fund('alice', 10_000_000);
    const posted = reservationId(reserve(quote(100_000, 'jokes', 10_000)));
    expect(ledger.post({ idempotencyKey: 'post-1', reservationId: posted, amountMsat: msat(80_000), feeMsat: msat(2_000) }).ok).toBe(true);
    reservationId(reserve(quote(50_000, 'jokes', 5_000))); // stays pending
    const voided = reservationId(reserve(quote(70_000, 'weather')));
    expect(ledger.void({ idempotencyKey: 'void-1', reservationId: voided, reason: 'provider_down' }).ok).toBe(true);
    reservationId(reserve(quote(30_000, 'weather', 3_000)));

    const usage = monthUsage('jokes');
    expect(usage.month).toEqual({ postedMsat: 82_000, pendingMsat: 72_000, feeReserveMsat: 8_000, refundCreditMsat: 0 });
    expect(usage.service).toEqual({ postedMsat: 82_000, pendingMsat: 45_000, feeReserveMsat: 5_000, refundCreditMsat: 0 });
    expect(usedMsat(usage.month)).toBe(162_000);
  });

  it('charges a reservation to the local month it was made in, even when posted in the next', () => {
    fund('alice', 10_000_000);
    nowMs = Date.parse('2026-04-01T03:59:59.999Z'); // March 31, 23:59:59.999 in New York
    const id = reservationId(reserve(quote(100_000)));
    nowMs = Date.parse('2026-04-01T04:00:00.000Z'); // April 1, 00:00 in New York
    expect(ledger.post({ idempotencyKey: 'post-late', reservationId: id, amountMsat: msat(100_000), feeMsat: msat(0) }).ok).toBe(true);
    expect(usedMsat(monthUsage().month)).toBe(0); // April is empty
    nowMs = Date.parse('2026-04-01T03:00:00.000Z'); // back in March for the reading
    expect(usedMsat(monthUsage().month)).toBe(100_000);
  });

  it('a refund credit frees the budget of the month, service and task of the spend it refunds, once', () => {
    fund('alice', 10_000_000);
    const task = { id: 'task-1', startedAtMs: MARCH_10 };
    const id = reservationId(reserve(quote(100_000), { task }));
    expect(ledger.post({ idempotencyKey: 'post-r', reservationId: id, amountMsat: msat(100_000), feeMsat: msat(0) }).ok).toBe(true);
    nowMs = Date.parse('2026-04-15T12:00:00Z'); // the dispute is settled in April
    const refund = ledger.transfer({
      idempotencyKey: 'refund-1',
      debit: refundsAccount,
      credit: userAvailableAccount('alice'),
      amountMsat: msat(40_000),
      reason: 'refund',
    });
    if (!refund.ok) throw new Error(refund.reason);
    const reservation = ledger.getReservation(id);
    if (!reservation) throw new Error('reservation');
    const credit = { ledgerTransferId: refund.transfer.id, timeZone: TZ, reservation, amountMsat: msat(40_000) };
    expect(governance.recordRefundCredit(credit)).toBe(true);
    expect(governance.recordRefundCredit(credit)).toBe(false); // replay: no second effect

    expect(usedMsat(monthUsage().month)).toBe(0); // April untouched
    const april = monthUsage('jokes', task);
    expect(usedMsat(april.task)).toBe(60_000); // the task spans months
    nowMs = MARCH_10;
    const march = monthUsage('jokes');
    expect(march.month).toMatchObject({ postedMsat: 100_000, refundCreditMsat: 40_000 });
    expect(usedMsat(march.service)).toBe(60_000);
  });
});

describe('the budget precondition inside the reservation transaction', () => {
  const limited = (overrides: Partial<GovernanceSettings> = {}): GovernanceSettings => ({
    ...DEFAULT_GOVERNANCE_SETTINGS,
    monthlyLimit: sats(1_000),
    ...overrides,
  });

  it('reserves up to the limit exactly and refuses the first msat beyond, writing nothing', () => {
    fund('alice', 10_000_000);
    expect(reserve(quote(600_000), { settings: limited() }).ok).toBe(true);
    expect(reserve(quote(400_000), { settings: limited() }).ok).toBe(true);
    expect(reserve(quote(1), { settings: limited() })).toEqual({ ok: false, reason: 'exceeds_monthly_budget' });
    expect(ledger.pendingReservations('alice')).toHaveLength(2);
    expect(ledger.userBalances('alice').reservedMsat).toBe(1_000_000);
  });

  it('lets through exactly the overage the person approved', () => {
    fund('alice', 10_000_000);
    expect(reserve(quote(900_000), { settings: limited() }).ok).toBe(true);
    expect(reserve(quote(200_000), { settings: limited(), authorizedOverageMsat: 99_999 })).toEqual({
      ok: false,
      reason: 'exceeds_monthly_budget',
    });
    expect(reserve(quote(200_000), { settings: limited(), authorizedOverageMsat: 100_000 }).ok).toBe(true);
  });

  it('refuses blocked services, task caps and service caps by name', () => {
    fund('alice', 10_000_000);
    const blocked = limited({ serviceRules: [{ serviceId: 'jokes', rule: 'block', monthlyCap: null }] });
    expect(reserve(quote(1), { settings: blocked })).toEqual({ ok: false, reason: 'service_blocked' });

    const task = { id: 'task-1', startedAtMs: MARCH_10 };
    const taskCapped = limited({ taskCap: sats(100) });
    expect(reserve(quote(60_000), { settings: taskCapped, task }).ok).toBe(true);
    expect(reserve(quote(40_001), { settings: taskCapped, task })).toEqual({ ok: false, reason: 'exceeds_task_cap' });
    expect(reserve(quote(40_001), { settings: taskCapped, task: { id: 'task-2', startedAtMs: MARCH_10 } }).ok).toBe(true);

    const serviceCapped = limited({ serviceRules: [{ serviceId: 'weather', rule: null, monthlyCap: sats(50) }] });
    expect(reserve(quote(50_000, 'weather'), { settings: serviceCapped }).ok).toBe(true);
    expect(reserve(quote(1, 'weather'), { settings: serviceCapped })).toEqual({ ok: false, reason: 'exceeds_service_cap' });
  });

  it('a voided or expired hold frees its budget again', () => {
    fund('alice', 10_000_000);
    const id = reservationId(reserve(quote(1_000_000), { settings: limited() }));
    expect(reserve(quote(1), { settings: limited() }).ok).toBe(false);
    expect(ledger.void({ idempotencyKey: 'v', reservationId: id, reason: 'cancelled' }).ok).toBe(true);
    reservationId(reserve(quote(1_000_000), { settings: limited() }));
    nowMs += 60_000;
    expect(ledger.expire().expired).toHaveLength(1);
    expect(reserve(quote(1_000_000), { settings: limited() }).ok).toBe(true);
  });

  it('refuses a reservation that does not match the checked quote, as a bug', () => {
    fund('alice', 10_000_000);
    expect(() =>
      ledger.reserve({
        idempotencyKey: 'mismatch',
        userId: 'alice',
        destination: providerAccount('jokes'),
        amountMsat: msat(2),
        expiresAtMs: nowMs + 1_000,
        precondition: governance.precondition({ userId: 'alice', timeZone: TZ, settings: limited(), quote: quote(1), task: null }),
      }),
    ).toThrow(/does not match/);
    expect(ledger.pendingReservations('alice')).toHaveLength(0);
  });
});

describe('settings, status, history and alerts', () => {
  it('new users get the defaults; saved settings round-trip', () => {
    expect(governance.settingsFor('bob')).toEqual(DEFAULT_GOVERNANCE_SETTINGS);
    const settings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: usdCents(2_000) } };
    governance.saveSettings('bob', settings);
    expect(governance.settingsFor('bob')).toEqual(settings);
  });

  it('fires each budget threshold once per period, and again in the next period', () => {
    fund('alice', 100_000_000);
    governance.saveSettings('alice', { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: sats(1_000) });
    const spend = (amount: number) => expect(reserve(quote(amount)).ok).toBe(true);
    const fire = () => governance.fireBudgetAlerts('alice', TZ, RATE).map((alert) => alert.kind === 'budget_threshold' && alert.thresholdPercent);

    spend(499_999);
    expect(fire()).toEqual([]);
    spend(1);
    expect(fire()).toEqual([50]);
    expect(fire()).toEqual([]);
    spend(500_000);
    expect(fire()).toEqual([80, 100]);
    expect(governance.repository.firedThresholds('alice', '2026-03').sort()).toEqual([100, 50, 80]);

    nowMs = Date.parse('2026-04-02T12:00:00Z');
    spend(900_000);
    expect(fire()).toEqual([50, 80]);
  });

  it('claimThreshold lets exactly one of many racers fire', () => {
    const winners = Array.from({ length: 50 }, () => governance.repository.claimThreshold('alice', '2026-03', 80, nowMs));
    expect(winners.filter(Boolean)).toHaveLength(1);
  });

  it('status shows this month in both units; history keeps each month with the limit that applied', () => {
    fund('alice', 100_000_000);
    governance.saveSettings('alice', { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd', usdCents: usdCents(2_000) } });
    expect(reserve(quote(5_000_000)).ok).toBe(true);
    expect(governance.status('alice', TZ, RATE)).toMatchObject({
      period: { periodKey: '2026-03' },
      summary: { usedMsat: 5_000_000, usedUsdCents: 500, limitMsat: 20_000_000, limitUsdCents: 2_000, percentUsed: 25 },
    });

    governance.saveSettings('alice', { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: sats(10_000) });
    nowMs = Date.parse('2026-04-02T12:00:00Z');
    expect(reserve(quote(1_000_000)).ok).toBe(true);
    const history = governance.history('alice', RATE);
    expect(history.map((entry) => [entry.periodKey, entry.summary.usedMsat, entry.summary.limit])).toEqual([
      ['2026-04', 1_000_000, { unit: 'sat', msat: 10_000_000 }],
      ['2026-03', 5_000_000, { unit: 'usd', usdCents: 2_000 }],
    ]);
    expect(history[1]?.startsAtMs).toBe(Date.parse('2026-03-01T05:00:00Z'));
  });
});

describe('races against one budget', () => {
  const LIMIT_MSAT = 1_000_000;
  const named = new Set(['exceeds_monthly_budget']);

  it('1,000 concurrent async reservation flows never exceed the budget; each is reserved or refused by name', async () => {
    fund('alice', 100_000_000);
    const settings = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'sat' as const, msat: msat(LIMIT_MSAT) } };
    // Amounts 1..7,000 msat: far more is asked for (about 3.5 million msat) than the budget allows.
    const flows = Array.from({ length: 1_000 }, async (_, i) => {
      const amount = 1 + ((i * 7_919) % 7_000);
      // Each flow awaits like a real one (quote, approval) before it reserves.
      await new Promise((resolve) => setTimeout(resolve, i % 5));
      const decision = governance.decideSpend({ userId: 'alice', timeZone: TZ, quote: quote(amount), task: null }).decision;
      await new Promise((resolve) => setImmediate(resolve));
      const result = reserve(quote(amount), { settings });
      return { amount, decision: decision.kind, result };
    });
    const outcomes = await Promise.all(flows);

    const reserved = outcomes.filter((o) => o.result.ok);
    const refused = outcomes.filter((o) => !o.result.ok);
    expect(reserved.length + refused.length).toBe(1_000);
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) {
      expect(outcome.result.ok ? null : named.has(outcome.result.reason)).toBe(true);
    }
    const reservedMsat = reserved.reduce((total, o) => total + o.amount, 0);
    expect(reservedMsat).toBeLessThanOrEqual(LIMIT_MSAT);
    expect(ledger.userBalances('alice').reservedMsat).toBe(reservedMsat);
    expect(usedMsat(monthUsage().month)).toBe(reservedMsat);
    // Tight packing: once refusals start, what is left is smaller than the refused amounts.
    const smallestRefused = Math.min(...refused.map((o) => o.amount));
    expect(LIMIT_MSAT - reservedMsat).toBeLessThan(smallestRefused);
  });

  it('four processes racing on one database file never exceed the budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-governance-'));
    // A file on SQLite; on PostgreSQL (npm run test:postgres) a schema the worker processes open too.
    const dbPath = testDatabaseLocation(join(dir, 'race.db'));
    try {
      const shared = openDatabase(dbPath);
      const sharedLedger = createLedger(shared, { now: () => MARCH_10 });
      expect(
        sharedLedger.transfer({ idempotencyKey: 'fund', debit: stripeAccount, credit: userAvailableAccount('alice'), amountMsat: msat(100_000_000) }).ok,
      ).toBe(true);

      const run = promisify(execFile);
      const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
      const worker = join(import.meta.dirname, 'budget-race.worker.ts');
      const startAtMs = Date.now() + 1_500; // after every process has opened the database
      const amountMsat = 3_000; // 4 x 250 x 3,000 = 3,000,000 asked for against 1,000,000
      const children = [0, 1, 2, 3].map((index) =>
        run(process.execPath, [tsx, worker, dbPath, 'alice', String(index), '250', String(amountMsat), String(LIMIT_MSAT), String(MARCH_10), String(startAtMs)]),
      );
      const outputs = await Promise.all(children);
      const results = outputs.flatMap(({ stdout }) => (JSON.parse(stdout) as { results: { ok: boolean; reason?: string }[] }).results);

      expect(results).toHaveLength(1_000);
      const reservedCount = results.filter((r) => r.ok).length;
      expect(results.filter((r) => !r.ok).every((r) => r.reason !== undefined && named.has(r.reason))).toBe(true);
      expect(reservedCount).toBe(Math.floor(LIMIT_MSAT / amountMsat)); // 333: exactly as many as fit
      expect(sharedLedger.userBalances('alice').reservedMsat).toBe(reservedCount * amountMsat);
      sharedLedger.checkInvariants();
      shared.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
