import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client';
import { createLedger, stripeAccount, userAvailableAccount } from '../../server/domain/ledger';
import { msat } from '../../shared/money';
import {
  auditViolations,
  checkBudgets,
  checkInvoicesPaidOnce,
  checkPaymentsMatchWallets,
  checkStepsPaidOnce,
  checkWallets,
  mostPermissiveLimit,
  type AppPayment,
  type BudgetInput,
  type LimitChange,
  type ReservationRecord,
  type WalletPayment,
} from './checks';

const kinds = (violations: { kind: string }[]) => violations.map((v) => v.kind);

describe('auditViolations (ledger invariants)', () => {
  it('passes a sound ledger and names an entry that breaks conservation', () => {
    const handle = openDatabase(':memory:');
    const ledger = createLedger(handle, { now: () => 1_000 });
    const funded = ledger.transfer({ idempotencyKey: 'fund', debit: stripeAccount, credit: userAvailableAccount('u1'), amountMsat: msat(5_000), reason: 'top_up' });
    expect(funded.ok).toBe(true);
    expect(auditViolations('ledger_invariant', () => ledger.checkInvariants())).toEqual([]);

    // A stray entry, as a bug writing outside a balanced transfer would leave.
    const { transferId, accountId } = handle.sqlite.prepare('SELECT transfer_id AS transferId, account_id AS accountId FROM ledger_entries LIMIT 1').get() as { transferId: number; accountId: number };
    handle.sqlite.prepare('INSERT INTO ledger_entries (transfer_id, account_id, amount_msat, created_at_ms) VALUES (?, ?, 7, 1000)').run(transferId, accountId);
    const found = auditViolations('ledger_invariant', () => ledger.checkInvariants());
    expect(kinds(found)).toEqual(['ledger_invariant']);
    expect(found[0]?.detail).toMatch(/do not sum to zero/);
    handle.close();
  });
});

describe('checkWallets', () => {
  const view = (walletMsat: number | null, heldMsat = 0) => ({ userId: 'u1', availableMsat: 90_000, heldMsat, walletMsat: { nwc: walletMsat, db: 90_000 } });

  it('accepts wallets that hold what the ledger says', () => {
    expect(checkWallets([view(90_000)])).toEqual([]);
  });

  it('accepts a hold the wallet has not paid: the totals still agree', () => {
    expect(checkWallets([{ userId: 'u1', availableMsat: 89_000, heldMsat: 1_000, walletMsat: { nwc: 90_000 } }])).toEqual([]);
  });

  it('flags a wallet that differs, one that paid what the ledger still holds, and one that did not answer', () => {
    expect(kinds(checkWallets([view(80_000)]))).toEqual(['wallet_disagrees_with_ledger']);
    expect(kinds(checkWallets([{ userId: 'u1', availableMsat: 89_000, heldMsat: 1_000, walletMsat: { nwc: 89_000 } }]))).toEqual(['wallet_disagrees_with_ledger']);
    expect(kinds(checkWallets([view(null)]))).toEqual(['wallet_unreadable']);
  });
});

describe('mostPermissiveLimit', () => {
  const change = (sentAtMs: number, answeredAtMs: number | null, outcome: LimitChange['outcome'], monthlyLimitMsat: number | null): LimitChange => ({
    userId: 'u1', sentAtMs, answeredAtMs, outcome, monthlyLimitMsat, taskCapMsat: null,
  });

  it('starts with no limit, takes saved changes once answered, and ignores refused ones', () => {
    const changes = [change(10, 20, 'saved', 5_000), change(30, 40, 'refused', 99_000)];
    expect(mostPermissiveLimit(changes, 5, 'monthlyLimitMsat')).toBeNull();
    expect(mostPermissiveLimit(changes, 20, 'monthlyLimitMsat')).toBe(5_000);
    expect(mostPermissiveLimit(changes, 50, 'monthlyLimitMsat')).toBe(5_000);
  });

  it('allows the higher of two while a change is in flight or its outcome is unknown', () => {
    const changes = [change(10, 20, 'saved', 5_000), change(30, 40, 'saved', 3_000), change(50, null, 'unknown', 8_000)];
    expect(mostPermissiveLimit(changes, 35, 'monthlyLimitMsat')).toBe(5_000);
    expect(mostPermissiveLimit(changes, 45, 'monthlyLimitMsat')).toBe(3_000);
    expect(mostPermissiveLimit(changes, 60, 'monthlyLimitMsat')).toBe(8_000);
  });
});

describe('checkBudgets', () => {
  const reservation = (id: number, amountMsat: number, resolution: ReservationRecord['resolution'] = null, taskId = 't1'): ReservationRecord => ({
    id, userId: 'u1', taskId, createdAtMs: 1_000 + id, amountMsat, charge: null, resolution,
  });
  const limit = (monthlyLimitMsat: number | null, taskCapMsat: number | null = null): LimitChange => ({
    userId: 'u1', sentAtMs: 0, answeredAtMs: 1, outcome: 'saved', monthlyLimitMsat, taskCapMsat,
  });
  const input = (reservations: ReservationRecord[], extra: Partial<BudgetInput> = {}): BudgetInput => ({
    reservations, credits: [], timeZoneOf: () => 'UTC', changes: [limit(10_000)], overages: [], ...extra,
  });

  it('accepts spends within the limit, counting voided holds as nothing and posted ones as paid', () => {
    const reservations = [
      reservation(1, 6_000, { id: 2, kind: 'void', amountMsat: 6_000, feeMsat: 0 }),
      reservation(3, 6_000, { id: 4, kind: 'post', amountMsat: 3_000, feeMsat: 1_000 }),
      reservation(5, 6_000),
    ];
    expect(checkBudgets(input(reservations))).toEqual([]);
  });

  it('flags a reservation that took the month past the limit', () => {
    const reservations = [reservation(1, 6_000), reservation(2, 6_000)];
    const found = checkBudgets(input(reservations));
    expect(kinds(found)).toEqual(['monthly_budget_exceeded']);
    expect(found[0]?.detail).toMatch(/reservation 2 .* used 12000 msat, limit 10000/);
  });

  it("counts a hold released after the next reservation as still held, and honours the task's authorized overage", () => {
    const lateVoid = [reservation(1, 6_000, { id: 3, kind: 'void', amountMsat: 6_000, feeMsat: 0 }), reservation(2, 6_000)];
    expect(kinds(checkBudgets(input(lateVoid)))).toEqual(['monthly_budget_exceeded']);
    const overages = [{ userId: 'u1', taskId: 't1', approvedAtMs: 500, overageMsat: 2_000 }];
    expect(checkBudgets(input(lateVoid, { overages }))).toEqual([]);
  });

  it('subtracts credits given before the reservation', () => {
    const credits = [{ ledgerTransferId: 2, userId: 'u1', periodKey: '1970-01', taskId: 't1', amountMsat: 2_000 }];
    expect(checkBudgets(input([reservation(1, 6_000), reservation(3, 6_000)], { credits }))).toEqual([]);
  });

  it("flags a task that spent past its cap, while other tasks' spends do not count against it", () => {
    const changes = [limit(null, 5_000)];
    expect(checkBudgets(input([reservation(1, 3_000, null, 't1'), reservation(2, 3_000, null, 't2')], { changes }))).toEqual([]);
    expect(kinds(checkBudgets(input([reservation(1, 3_000), reservation(2, 3_000)], { changes })))).toEqual(['task_cap_exceeded']);
  });
});

describe('payments', () => {
  const app = (id: string, paymentHash: string, status = 'paid', idempotencyKey = `task:t:step:${id}`): AppPayment => ({
    id, userId: 'u1', paymentHash, idempotencyKey, status, amountMsat: 10_000, feeMsat: 1_010,
  });
  const settled = (paymentHash: string, payerNode = 'user:u1'): WalletPayment => ({ paymentHash, payerNode, amountMsat: 10_000, feeMsat: 1_010 });

  it('accepts one payment per invoice and per step, matching the wallets', () => {
    const payments = [app('p1', 'h1'), app('p2', 'h2'), app('p3', 'h3', 'failed')];
    const wallet = [settled('h1'), settled('h2')];
    const steps = [{ taskId: 't', stepId: 'p1', idempotencyKey: 'task:t:step:p1', paymentId: 'p1' }];
    expect([...checkInvoicesPaidOnce(payments, wallet), ...checkStepsPaidOnce(steps, payments), ...checkPaymentsMatchWallets(payments, wallet, ['u1'])]).toEqual([]);
  });

  it('flags an invoice paid twice, by the wallets or in the records', () => {
    expect(kinds(checkInvoicesPaidOnce([], [settled('h1'), settled('h1')]))).toEqual(['invoice_paid_twice']);
    expect(kinds(checkInvoicesPaidOnce([app('p1', 'h1'), app('p2', 'h1', 'paying')], []))).toEqual(['invoice_paid_twice']);
  });

  it('flags a step with two payments, also under a key derived from its own', () => {
    const step = { taskId: 't', stepId: 's1', idempotencyKey: 'task:t:step:s1', paymentId: 'p1' };
    const payments = [app('p1', 'h1', 'paid', 'task:t:step:s1'), app('p2', 'h2', 'paid', 'task:t:step:s1:drift-1')];
    expect(kinds(checkStepsPaidOnce([step], payments))).toEqual(['step_paid_twice']);
  });

  it('flags payments the ledger and the wallets disagree on', () => {
    expect(kinds(checkPaymentsMatchWallets([app('p1', 'h1')], [], ['u1']))).toEqual(['paid_in_ledger_not_in_wallet']);
    expect(kinds(checkPaymentsMatchWallets([], [settled('h9')], ['u1']))).toEqual(['paid_in_wallet_not_in_ledger']);
    expect(kinds(checkPaymentsMatchWallets([app('p1', 'h1')], [{ ...settled('h1'), amountMsat: 11_000 }], ['u1']))).toEqual(['payment_amount_mismatch']);
    // Other wallets' payments (the guest's, the treasury's) are not the app's to record.
    expect(checkPaymentsMatchWallets([], [settled('h9', 'guest')], ['u1'])).toEqual([]);
  });
});
