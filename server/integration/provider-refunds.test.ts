/**
 * Refunds from the provider on the real sandbox stack (docs/provider-refunds.md). A person disputes a
 * paid answer, an operator refunds it, and the market's provider is asked first: one that pays, one
 * that refuses, one without a refund endpoint, one that lies (says refunded, pays nothing) and one
 * that answers after Steward's timeout but pays its return invoice in time. Each ends with the person
 * refunded exactly once, read over NWC, and a claim against the provider where the treasury paid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputeView } from '../../shared/disputes';
import { createDisputesRepository } from '../db/repositories/disputes-repository';
import { SANDBOX_BTC_USD_RATE } from '../rails/rates/fixed-rate';
import { askOnStack, isFinished, signUpOnStack, startAgentStack, untilTask, WELCOME_BALANCE_MSAT, type AgentStack } from './agent-support';

const RETURN_INVOICE_EXPIRY_SEC = 4;
const PROVIDER_TIMEOUT_MS = 1_000;

let dir: string;
let stack: AgentStack;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-provider-refunds-'));
  stack = await startAgentStack(dir, {
    treasury: true,
    // Daily Ledger (headlines) says "refunded" and pays nothing.
    refundBehaviours: { 'daily-ledger': 'lies' },
    providerRefunds: { timeoutMs: PROVIDER_TIMEOUT_MS, returnInvoiceExpirySec: RETURN_INVOICE_EXPIRY_SEC },
  });
}, 30_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const walletBalance = async (userId: string): Promise<number> => {
  const { balance } = await stack.wallet.status(userId);
  if (balance?.state !== 'known') throw new Error('the wallet did not answer');
  return balance.balanceMsat;
};
const nodeBalance = (name: string) => stack.sandbox.network.node(name)?.balanceMsat() ?? 0;

/** A person buys one answer, disputes its quality, and an operator refunds it all. */
async function disputedAndDecided(request: string, providerId: string, beforeDecision: () => void = () => undefined): Promise<{ userId: string; dispute: DisputeView; paidMsat: number }> {
  const userId = await signUpOnStack(stack, providerId);
  let task = await askOnStack(stack, userId, request, (t) => isFinished(t) || t.status === 'awaiting_approval');
  if (task.status === 'awaiting_approval') {
    // Headlines cost more than a new account spends without asking.
    expect(stack.approvals.approve({ userId, approvalId: task.approvalId ?? '' })).toMatchObject({ ok: true });
    task = await untilTask(stack, userId, task.id, isFinished);
  }
  expect(task.status).toBe('completed');
  const step = task.steps[0];
  const judged = stack.tasks.judgeStep(userId, { taskId: task.id, stepId: step?.stepId ?? '', verdict: 'dispute', complaint: 'not what I asked', category: 'wrong_or_low_quality' });
  if (!judged.ok || !judged.dispute) throw new Error('not disputed');
  expect(judged.dispute.evidence.providerId).toBe(providerId);
  const paidMsat = judged.dispute.disputedMsat;
  expect(await walletBalance(userId)).toBe(WELCOME_BALANCE_MSAT - paidMsat);
  beforeDecision();
  const decided = stack.disputes.decide('op-1', judged.dispute.id, { kind: 'refund', note: '' });
  if (!decided.ok) throw new Error(decided.reason);
  return { userId, dispute: decided.dispute, paidMsat };
}

/** Runs refund attempts (as the background loop would) until the dispute is refunded. */
async function untilRefunded(userId: string, disputeId: string): Promise<DisputeView> {
  for (let i = 0; i < 40; i++) {
    await stack.disputes.refund(disputeId);
    const got = stack.disputes.get(userId, disputeId);
    if (got.ok && got.dispute.status === 'refunded') return got.dispute;
    await sleep(250);
  }
  throw new Error(`dispute ${disputeId} was not refunded`);
}

/** Refunded exactly once: the wallet over NWC is back where it started, one refund in the ledger, and retrying pays nothing. */
async function expectRefundedOnce(userId: string, disputeId: string): Promise<void> {
  expect(await walletBalance(userId)).toBe(WELCOME_BALANCE_MSAT);
  expect(stack.ledger.userBalances(userId)).toEqual({ availableMsat: WELCOME_BALANCE_MSAT, reservedMsat: 0 });
  // The month's usage dropped by exactly what was paid (price plus fee): one money rule, whoever refunded.
  expect(stack.governance.status(userId, 'UTC', SANDBOX_BTC_USD_RATE).summary.usedMsat).toBe(0);
  // Past the return invoice's expiry, nothing more arrives from anyone.
  await sleep(RETURN_INVOICE_EXPIRY_SEC * 1_000 + 500);
  expect(await stack.disputes.refund(disputeId)).toBe('not_due');
  expect(await walletBalance(userId)).toBe(WELCOME_BALANCE_MSAT);
  expect(stack.wallet.exportCsv(userId).split('\n').filter((line) => line.includes('refund'))).toHaveLength(1);
}

const claimFor = (disputeId: string) => stack.disputes.claims().find((c) => c.claim.disputeId === disputeId)?.claim;

describe('the provider pays its return invoice', () => {
  it('Satoshi Jokes refunds the joke itself: refunded by the provider, no claim, the treasury untouched', async () => {
    const treasuryBefore = nodeBalance('treasury');
    const providerBefore = nodeBalance('provider:satoshi-jokes');
    const { userId, dispute, paidMsat } = await disputedAndDecided('a joke about bitcoin', 'satoshi-jokes');
    const refunded = await untilRefunded(userId, dispute.id);
    expect(refunded).toMatchObject({ refundSource: 'provider', refundMsat: paidMsat });
    expect(nodeBalance('treasury')).toBe(treasuryBefore);
    // It paid back price plus fee (and its own routing fee) out of what it had been paid and its float.
    expect(nodeBalance('provider:satoshi-jokes')).toBeLessThan(providerBefore);
    expect(claimFor(dispute.id)).toBeUndefined();
    await expectRefundedOnce(userId, dispute.id);
  }, 60_000);
});

describe('the provider does not pay: the treasury does, once, and a claim stands', () => {
  it.each([
    { name: 'Block Data refuses', request: 'bitcoin fee estimate', providerId: 'block-data', reason: 'refused' },
    { name: 'SkyCast has no refund endpoint', request: 'weather in Paris tomorrow', providerId: 'skycast', reason: 'no_endpoint' },
    { name: 'Daily Ledger says refunded and pays nothing', request: 'news headlines about bitcoin', providerId: 'daily-ledger', reason: 'not_paid' },
  ])('$name', async ({ request, providerId, reason }) => {
    const { userId, dispute, paidMsat } = await disputedAndDecided(request, providerId);
    const refunded = await untilRefunded(userId, dispute.id);
    expect(refunded).toMatchObject({ refundSource: 'treasury', refundMsat: paidMsat });
    expect(claimFor(dispute.id)).toMatchObject({ providerId, reason, status: 'open', amountMsat: paidMsat });
    await expectRefundedOnce(userId, dispute.id);
  }, 60_000);
});

describe('the provider answers after the timeout', () => {
  it('and pays its return invoice before it expires: refunded by the provider, never also by the treasury', async () => {
    const node = stack.sandbox.network.node('provider:satoshi-jokes');
    const treasuryBefore = nodeBalance('treasury');
    try {
      // Its payment takes half as long again as Steward's patience, and still lands within the invoice's life.
      const { userId, dispute } = await disputedAndDecided('a joke about bitcoin', 'satoshi-jokes', () => node?.setFault({ kind: 'delay', ms: PROVIDER_TIMEOUT_MS * 1.5 }));
      await stack.disputes.idle();
      // The decision's own attempt gave up waiting for the answer; the treasury was not asked.
      expect(createDisputesRepository(stack.database.db).byId(dispute.id)).toMatchObject({ status: 'refunding', providerAnswer: 'no_answer', providerStep: 'asking' });
      const refunded = await untilRefunded(userId, dispute.id);
      expect(refunded.refundSource).toBe('provider');
      expect(nodeBalance('treasury')).toBe(treasuryBefore);
      expect(claimFor(dispute.id)).toBeUndefined();
      await expectRefundedOnce(userId, dispute.id);
    } finally {
      node?.setFault(null);
    }
  }, 60_000);
});
