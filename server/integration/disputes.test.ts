/**
 * Disputes on the real sandbox stack: a provider that takes the payment and then answers 500 or an
 * empty body, answers 402 again or times out is refunded automatically, in real sats (the treasury pays an invoice the person's
 * wallet made over NWC), and the month's usage drops by exactly the price plus fee. A quality dispute
 * decided by two operators at once is refunded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { createReceipts } from '../domain/payments';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { askOnStack, signUpOnStack, startAdversaryStack, WELCOME_BALANCE_MSAT, type AgentStack } from './agent-support';
import { BEHAVIOURS } from './support/adversarial-provider';

const SLOW_MS = 3_000;

let stack: AgentStack;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ stack, close } = await startAdversaryStack('disputes', {
    treasury: true,
    // The slow provider answers after the call's timeout: paid, then timed out.
    providerTimeoutMs: SLOW_MS / 2,
    slowMs: SLOW_MS,
  }));
}, 30_000);

afterAll(async () => {
  await close?.();
});

const ask = (userId: string, text: string): Promise<TaskView> => askOnStack(stack, userId, text);

const monthUsedMsat = (userId: string) => stack.governance.status(userId, 'UTC', SANDBOX_BTC_USD_RATE).summary.usedMsat;
const walletBalance = async (userId: string) => (await stack.wallet.status(userId)).balance;

describe('paid, not delivered: refunded automatically in real sats', () => {
  it.each([
    { behaviour: BEHAVIOURS.paid500, reason: 'server_error', detail: /.*/ },
    { behaviour: BEHAVIOURS.emptyBody, reason: 'empty_body', detail: /.*/ },
    { behaviour: BEHAVIOURS.paid402, reason: 'challenged_again', detail: /.*/ },
    // The paid call's answer never came in time (the guarded fetch's timeout), not any other fetch failure.
    { behaviour: BEHAVIOURS.slow, reason: 'fetch_failed', detail: /^timeout:/ },
  ])('$behaviour.name ($reason): the refund lands in the wallet and the usage drops by price plus fee', async ({ behaviour, reason, detail }) => {
    const userId = await signUpOnStack(stack, 'refund');
    const task = await ask(userId, behaviour.name);
    expect(task.failure?.reason).toBe('paid_not_delivered');
    await stack.disputes.idle();

    const [receipt] = createReceipts(stack.database.db).list(userId);
    const paidMsat = (receipt?.amountMsat ?? 0) + (receipt?.feeMsat ?? 0);
    expect(paidMsat).toBeGreaterThanOrEqual(behaviour.priceMsat);
    const [dispute] = stack.disputes.list(userId);
    expect(dispute).toMatchObject({ status: 'refunded', openedBy: 'automatic', category: 'not_delivered', refundMsat: paidMsat, disputedMsat: paidMsat });
    expect(dispute?.evidence).toMatchObject({ paymentHash: receipt?.evidence.paymentHash, delivery: 'paid_not_delivered' });
    expect(dispute?.evidence.deliveryReason).toBe(reason);
    expect(dispute?.evidence.deliveryDetail ?? '').toMatch(detail);
    expect(dispute?.evidence.preimageHex).toMatch(/^[0-9a-f]{64}$/);
    expect(dispute?.transitions.map((t) => t.status)).toEqual(['open', 'refunding', 'refunded']);
    // The adversary publishes no refund endpoint: the treasury paid, and the sats are claimed from it.
    expect(dispute?.refundSource).toBe('treasury');
    expect(stack.disputes.claims().find((c) => c.claim.disputeId === dispute?.id)?.claim).toMatchObject({ providerId: 'adversary', reason: 'no_endpoint', status: 'open', amountMsat: paidMsat });
    // The wallet, asked over NWC, holds the welcome balance again; the ledger agrees.
    expect(await walletBalance(userId)).toEqual({ state: 'known', balanceMsat: WELCOME_BALANCE_MSAT });
    expect(stack.ledger.userBalances(userId)).toEqual({ availableMsat: WELCOME_BALANCE_MSAT, reservedMsat: 0 });
    // The month's usage is back to zero: it dropped by exactly what was paid (price plus fee).
    expect(monthUsedMsat(userId)).toBe(0);
    expect(stack.alerts.list(userId).map((a) => a.title)).toContain('Refund received');
    // Retrying the refund changes nothing: paid once.
    expect(await stack.disputes.refund(dispute?.id ?? '')).toBe('not_due');
    expect(await walletBalance(userId)).toEqual({ state: 'known', balanceMsat: WELCOME_BALANCE_MSAT });
  }, 40_000);
});

describe('a quality dispute, decided by two operators at once', () => {
  it('goes to review, and two racing refunds pay once', async () => {
    const userId = await signUpOnStack(stack, 'quality');
    const task = await ask(userId, BEHAVIOURS.steady.name);
    expect(task.status).toBe('completed');
    const usedBefore = monthUsedMsat(userId);
    const judged = stack.tasks.judgeStep(userId, { taskId: task.id, stepId: task.steps[0]?.stepId ?? '', verdict: 'dispute', complaint: 'not what I asked', category: 'wrong_or_low_quality' });
    if (!judged.ok) throw new Error(judged.reason);
    expect(judged.dispute?.status).toBe('under_review');
    // A second dispute on the same step is refused: never two disputes paying twice.
    expect(stack.tasks.judgeStep(userId, { taskId: task.id, stepId: task.steps[0]?.stepId ?? '', verdict: 'dispute', category: 'overcharged' })).toEqual({ ok: false, reason: 'already_disputed' });

    const disputeId = judged.dispute?.id ?? '';
    const half = Math.floor((judged.dispute?.disputedMsat ?? 0) / 2);
    const decisions = [stack.disputes.decide('op-1', disputeId, { kind: 'refund', amountMsat: half, note: 'half' }), stack.disputes.decide('op-2', disputeId, { kind: 'refund', note: 'all' })];
    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    expect(decisions.filter((d) => !d.ok)).toEqual([{ ok: false, reason: 'already_decided' }]);
    await Promise.all([stack.disputes.refund(disputeId), stack.disputes.refund(disputeId)]);
    await stack.disputes.idle();

    const [dispute] = stack.disputes.list(userId);
    expect(dispute).toMatchObject({ status: 'refunded', refundMsat: half });
    const paid = judged.dispute?.disputedMsat ?? 0;
    expect(await walletBalance(userId)).toEqual({ state: 'known', balanceMsat: WELCOME_BALANCE_MSAT - paid + half });
    expect(monthUsedMsat(userId)).toBe(usedBefore - half);
    const refunds = stack.wallet.exportCsv(userId).split('\n').filter((line) => line.includes('refund'));
    expect(refunds).toHaveLength(1);
  }, 40_000);
});
