/**
 * The agent end to end on the sandbox: a chat request is planned from the market's manifest, quoted
 * by probing the real market, approved by policy (or by the person), paid over NWC from the user's
 * sandbox wallet, delivered, and answered; receipts and budget usage match what was paid exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msat } from '../../shared/money';
import { createReceipts } from '../domain/payments';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { signUpOnStack, startAgentStack, untilTask, WELCOME_BALANCE_MSAT, type AgentStack } from './agent-support';

let dir: string;
let stack: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-agent-task-'));
  stack = await startAgentStack(dir);
}, 30_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});



const used = (userId: string) => stack.governance.status(userId, 'UTC', SANDBOX_BTC_USD_RATE).summary.usedMsat;

describe('agent task on the sandbox market', () => {
  it('runs a three-step task end to end: quote, auto approval, payments, results, receipts, budget usage', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const before = used(userId);
    const submittedAtMs = Date.now();
    const submitted = stack.tasks.submit(userId, 'BTC price, fee estimate and a joke about bitcoin');
    if (!submitted.ok) throw new Error(submitted.reason);
    // A task's id is a UUIDv7 of its creation, so tasks still spending share the last pages of the
    // usage table keyed by it (governance_task_usage).
    expect(submitted.task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const createdAtMs = parseInt(submitted.task.id.replace('-', '').slice(0, 12), 16);
    expect(createdAtMs).toBeGreaterThanOrEqual(submittedAtMs);
    expect(createdAtMs).toBeLessThanOrEqual(Date.now());
    const task = await untilTask(stack, userId, submitted.task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status));

    expect(task.status).toBe('completed');
    expect(task.steps.map((s) => [s.serviceName, s.status])).toEqual([
      ['btc-price', 'delivered'],
      ['fee-estimate', 'delivered'],
      ['joke', 'delivered'],
    ]);
    expect(task.decision?.kind).toBe('auto');
    expect(task.quote?.totalMsatMin).toBe(16_000);
    // Each step paid its invoice (the advertised price) plus whatever routing fee the network charged.
    expect(task.steps.map((s) => (s.paidMsat ?? 0) - (s.feeMsat ?? 0))).toEqual([10_000, 5_000, 1_000]);
    expect(task.steps.every((s) => s.paymentId !== null && s.paidUsdCents !== null)).toBe(true);

    const receipts = createReceipts(stack.database.db).list(userId);
    expect(receipts.map((r) => r.outcome).sort()).toEqual(['delivered', 'delivered', 'delivered']);
    expect(new Set(receipts.map((r) => r.id))).toEqual(new Set(task.steps.map((s) => s.paymentId)));

    // Budget usage grew by exactly what was paid (amounts + fees), nothing held back.
    const paidMsat = receipts.reduce((sum, r) => sum + r.amountMsat + (r.feeMsat ?? 0), 0);
    expect(task.spentMsat).toBe(paidMsat);
    expect(used(userId) - before).toBe(paidMsat);
    expect(stack.ledger.userBalances(userId)).toEqual({ availableMsat: WELCOME_BALANCE_MSAT - paidMsat, reservedMsat: 0 });

    expect(task.answer?.steps).toHaveLength(3);
    expect(task.answer?.summary).toMatch(/joke/i);
    expect(task.steps[2]?.output).toMatchObject({ setup: expect.any(String) });
  }, 30_000);

  it('tells the person in the chat why nothing is paid while a refunded top-up leaves them owing', async () => {
    const userId = await signUpOnStack(stack, 'debt');
    // What charge.refunded leaves when the person had already spent the top-up (domain/topups/reversal.ts).
    stack.database.sqlite
      .prepare(
        `INSERT INTO top_ups (id, user_id, status, amount_usd_cents, amount_msat, rate_usd_cents, rate_per_msat, spread_bps,
           effective_cents_per_btc, refunded_usd_cents, reversed_msat, owed_msat, created_at_ms, updated_at_ms, funded_at_ms)
         VALUES (?, ?, 'refunded', 1000, 9700000, 10000000, 1, 300, 10309278, 1000, 0, 9700000, 0, 0, 0)`,
      )
      .run(`topup-debt-${userId}`, userId);
    const submitted = stack.tasks.submit(userId, 'BTC price, fee estimate and a joke about bitcoin');
    if (!submitted.ok) throw new Error(submitted.reason);
    const task = await untilTask(stack, userId, submitted.task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status));
    expect(task.status).toBe('failed');
    expect(task.failure).toMatchObject({ reason: 'account_in_debt', message: expect.stringMatching(/top-up left your balance owing/) });
    expect(createReceipts(stack.database.db).list(userId)).toEqual([]);
    expect(stack.ledger.userBalances(userId)).toEqual({ availableMsat: WELCOME_BALANCE_MSAT, reservedMsat: 0 });
  }, 30_000);

  it('waits for the person when the policy asks for confirmation, paying nothing until approved', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const submitted = stack.tasks.submit(userId, 'weather in Paris and London tomorrow and BTC price');
    if (!submitted.ok) throw new Error(submitted.reason);
    const waiting = await untilTask(stack, userId, submitted.task.id, (t) => t.status !== 'draft' && t.status !== 'planned' && t.status !== 'quoted');
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.decision?.kind).toBe('confirm');
    expect(createReceipts(stack.database.db).list(userId)).toEqual([]);

    const approved = stack.approvals.approve({ userId, approvalId: waiting.approvalId ?? '' });
    expect(approved.ok).toBe(true);
    const done = await untilTask(stack, userId, submitted.task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status));
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.status)).toEqual(['delivered', 'delivered', 'delivered']);
  }, 30_000);

  it('fails a denied task without paying anything', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const submitted = stack.tasks.submit(userId, 'weather in Paris and London tomorrow and BTC price');
    if (!submitted.ok) throw new Error(submitted.reason);
    const waiting = await untilTask(stack, userId, submitted.task.id, (t) => t.status === 'awaiting_approval');
    expect(stack.approvals.deny({ userId, approvalId: waiting.approvalId ?? '' }).ok).toBe(true);
    const done = await untilTask(stack, userId, submitted.task.id, (t) => t.status === 'failed');
    expect(done.failure?.reason).toBe('approval_denied');
    expect(done.steps.map((s) => s.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(createReceipts(stack.database.db).list(userId)).toEqual([]);
  }, 30_000);

  it('stops spending at once when cancelled midway; paid steps keep their receipts', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const submitted = stack.tasks.submit(userId, 'BTC price, fee estimate and a joke about bitcoin');
    if (!submitted.ok) throw new Error(submitted.reason);
    await untilTask(stack, userId, submitted.task.id, (t) => t.steps[0]?.status === 'delivered');
    const cancelled = await stack.tasks.cancel(userId, submitted.task.id);
    expect(cancelled.ok).toBe(true);
    await stack.tasks.idle();
    const task = stack.tasks.get(userId, submitted.task.id);
    expect(task?.status).toBe('cancelled');
    // The step in flight when the cancel came may finish; the last one is never paid.
    expect(task?.steps[2]?.status).toBe('cancelled');
    const receipts = createReceipts(stack.database.db).list(userId);
    expect(receipts.length).toBeGreaterThanOrEqual(1);
    expect(receipts.length).toBeLessThanOrEqual(2);
    expect(task?.spentMsat).toBe(receipts.reduce((sum, r) => sum + r.amountMsat + (r.feeMsat ?? 0), 0));
    expect((await stack.tasks.cancel(userId, submitted.task.id)).ok).toBe(false);
  }, 30_000);

  it('answers a request the catalog cannot serve with a plain message and no spending', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const submitted = stack.tasks.submit(userId, 'book me a flight to Lisbon');
    if (!submitted.ok) throw new Error(submitted.reason);
    const done = await untilTask(stack, userId, submitted.task.id, (t) => t.status === 'failed');
    expect(done.failure?.reason).toBe('unsupported');
    expect(done.steps).toEqual([]);
  });

  it('fires the budget threshold alerts that a paid step crosses', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    // 100 sats a month: the three steps (16 sats + fees, up to 46 sats with allowances) stay within it.
    stack.governance.saveSettings(userId, { ...stack.governance.settingsFor(userId), monthlyLimit: { unit: 'sat', msat: msat(100_000) }, alertThresholdsPercent: [10, 90] });
    const submitted = stack.tasks.submit(userId, 'BTC price, fee estimate and a joke about bitcoin');
    if (!submitted.ok) throw new Error(submitted.reason);
    const task = await untilTask(stack, userId, submitted.task.id, (t) => ['completed', 'failed', 'cancelled'].includes(t.status));
    expect(task.status).toBe('completed');
    const titles = stack.alerts.list(userId).map((a) => a.title);
    expect(titles).toContain('10% of your monthly budget used');
    expect(titles).not.toContain('90% of your monthly budget used');
  }, 30_000);

  it('hides a blocked service from planning and records catalog prices', async () => {
    const userId = await signUpOnStack(stack, 'agent');
    const blocked = stack.catalog.withPreference(userId, 'satoshi-jokes/joke', 'block');
    if (!blocked.ok) throw new Error(blocked.reason);
    // Blocking tightens the guard: no code or password is asked for.
    expect(await stack.settingsChanges.change({ userId, settings: blocked.settings }, { ip: null, userAgent: null })).toMatchObject({ ok: true });
    expect(stack.catalog.servicesFor(userId).some((s) => s.id === 'satoshi-jokes/joke')).toBe(false);
    expect(stack.catalog.entriesFor(userId).find((s) => s.id === 'satoshi-jokes/joke')?.preference).toBe('block');
    expect(stack.governance.settingsFor(userId).serviceRules).toEqual([{ serviceId: 'satoshi-jokes/joke', rule: 'block', monthlyCap: null }]);
    expect(stack.catalog.priceHistory(userId, 'satoshi-jokes/joke')?.[0]?.priceMsat).toBe(1_000);
  });
});
