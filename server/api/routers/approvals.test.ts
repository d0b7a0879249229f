// The approvals API through createCaller: the same middleware and scoping as HTTP. The point: a client
// calling the API directly cannot skip the second factor, nor reuse one code for two approvals.
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../../shared/governance';
import { totpCode } from '../../domain/accounts/test-support';
import { planStep } from '../../domain/quotes/test-support';
import { callerOver, createApiHarness, exhaustedRateLimit, TEST_PASSWORD } from '../test-harness';

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

/** Alice with two-factor on, and her tiers set so that the harness's 1,010-sat quote needs step-up. */
async function aliceWithStepUp() {
  const alice = await h.signUp('alice@example.com');
  const begun = await alice.as().security.beginTotpEnrollment();
  await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
  h.clock.nextTotpStep();
  await alice.as().budget.saveSettings({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { autoMaxUsdCents: 0, confirmMaxUsdCents: 50, notifyOnAuto: true } } });
  return { ...alice, code: () => totpCode(begun.secret, h.clock) };
}

async function pendingApproval(userId: string, taskId: string) {
  const quoted = await h.deps.quotes.quotePlan({ userId, taskId, steps: [planStep('s1', 'summary')] });
  if (!quoted.ok) throw new Error(quoted.message);
  return h.deps.approvals.request({ userId, quote: quoted.quote });
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
    return null;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { code: error.code, reason: (error.cause as { reason?: string } | undefined)?.reason };
  }
}

describe('approvals API', () => {
  it('lists each waiting request with what was asked in words (null when no task of the person has it)', async () => {
    const alice = await h.signUp('alice@example.com');
    const submitted = h.deps.tasks.submit(alice.user.id, 'summarise the lightning whitepaper');
    if (!submitted.ok) throw new Error(submitted.reason);
    const asked = await pendingApproval(alice.user.id, submitted.task.id);
    const orphan = await pendingApproval(alice.user.id, 'no-such-task');
    const listed = await alice.as().approvals.pending();
    expect(listed.find((item) => item.approval.id === asked.approval.id)?.request).toBe('summarise the lightning whitepaper');
    expect(listed.find((item) => item.approval.id === orphan.approval.id)?.request).toBeNull();
  });

  it('a step-up approval cannot be approved without a valid fresh code', async () => {
    const alice = await aliceWithStepUp();
    const { decision, approval } = await pendingApproval(alice.user.id, 't1');
    expect(decision.kind).toBe('step_up');
    const api = alice.as().approvals;
    expect(await refusal(api.approve({ approvalId: approval.id }))).toEqual({ code: 'BAD_REQUEST', reason: 'code_required' });
    const wrong = alice.code() === '000000' ? '111111' : '000000';
    expect(await refusal(api.approve({ approvalId: approval.id, code: wrong }))).toEqual({ code: 'BAD_REQUEST', reason: 'code_invalid' });
    expect(await refusal(api.approve({ approvalId: approval.id, code: 'abc' }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await api.get({ approvalId: approval.id })).approval.status).toBe('pending');
    expect(await api.approve({ approvalId: approval.id, code: alice.code() })).toMatchObject({ status: 'approved' });
  });

  it('a code used once cannot approve a second request', async () => {
    const alice = await aliceWithStepUp();
    const first = await pendingApproval(alice.user.id, 't1');
    const second = await pendingApproval(alice.user.id, 't2');
    const api = alice.as().approvals;
    const code = alice.code();
    await api.approve({ approvalId: first.approval.id, code });
    expect(await refusal(api.approve({ approvalId: second.approval.id, code }))).toEqual({ code: 'BAD_REQUEST', reason: 'code_already_used' });
    expect((await api.pending()).map((p) => p.approval.id)).toEqual([second.approval.id]);
  });

  it('lists pending requests with their quote, and denies', async () => {
    const alice = await h.signUp('alice@example.com');
    const { approval } = await pendingApproval(alice.user.id, 't1');
    const [listed] = await alice.as().approvals.pending();
    expect(listed?.approval.id).toBe(approval.id);
    expect(listed?.quote?.steps.map((s) => s.serviceName)).toEqual(['summary']);
    expect(await alice.as().approvals.deny({ approvalId: approval.id })).toMatchObject({ status: 'denied' });
    expect(await refusal(alice.as().approvals.approve({ approvalId: approval.id }))).toEqual({ code: 'CONFLICT', reason: 'not_pending' });
  });
});

describe('approve and the code-guessing limit', () => {
  it('counts only calls that carry a code', async () => {
    const alice = await h.signUp('alice@example.com');
    const { approval } = await pendingApproval(alice.user.id, 't1');
    const exhausted = callerOver(h.deps, alice.token, exhaustedRateLimit).caller;
    expect(await refusal(exhausted.approvals.approve({ approvalId: approval.id, code: '123456' }))).toEqual({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(await exhausted.approvals.approve({ approvalId: approval.id })).toMatchObject({ status: 'approved' });
  });
});

describe('budget API', () => {
  it('refuses invalid settings with field messages, and saves valid ones', async () => {
    const alice = await h.signUp('alice@example.com');
    const bad = { ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { autoMaxUsdCents: 600, confirmMaxUsdCents: 500, notifyOnAuto: true }, alertThresholdsPercent: [80, 50] };
    const error = await alice.as().budget.saveSettings({ settings: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    const good = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: 2_000 } };
    expect((await alice.as().budget.saveSettings({ settings: good })).monthlyLimit).toEqual({ unit: 'usd', usdCents: 2_000 });
    const status = await alice.as().budget.status();
    expect(status).toMatchObject({ alertThresholdsPercent: [50, 80, 100], summary: { limitUsdCents: 2_000, usedMsat: 0, percentUsed: 0 } });
  });
});
