import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat } from '../../../shared/money';
import { createGovernanceEnvironment } from './test-support';

const PRICES = {
  joke: { priceMsat: 5_000 }, // 15 sats with the fee allowance: 1.5 cents, auto
  summary: { priceMsat: 1_000_000 }, // 1,010 sats: $1.01, confirm
  report: { priceMsat: 10_000_000 }, // 10,100 sats: $10.10, step-up
};

let env: ReturnType<typeof createGovernanceEnvironment>;
beforeEach(() => {
  env = createGovernanceEnvironment(PRICES);
});
afterEach(() => env.database.close());

const auditKinds = (userId: string) => env.accounts.audit.list(userId).map((e) => e.kind);

describe('request: the decision sets the starting state', () => {
  it('auto: created approved, with nothing to tell yet (spending announces it once paid)', async () => {
    const alice = await env.signUp('alice@example.com');
    const { decision, approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    expect(decision.kind).toBe('auto');
    expect(approval).toMatchObject({ status: 'approved', decisionKind: 'auto', maxMsat: 15_000, stepMaxMsat: { s1: 5_000 } });
    expect(approval.resolvedAt).toBe(env.nowMs());
    expect(approval.decision).toMatchObject({ kind: 'auto', notify: true });
    expect(env.alerts.list(alice.userId)).toEqual([]);
  });

  it('confirm / step_up: pending, with an approval_waiting alert naming the request', async () => {
    const alice = await env.signUp('alice@example.com');
    const confirm = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const stepUp = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['report']) });
    expect([confirm.approval.status, confirm.decision.kind]).toEqual(['pending', 'confirm']);
    expect([stepUp.approval.status, stepUp.decision.kind]).toEqual(['pending', 'step_up']);
    const waiting = env.alerts.list(alice.userId).filter((a) => a.kind === 'approval_waiting');
    expect(waiting.map((a) => a.data.approvalId).sort()).toEqual([confirm.approval.id, stepUp.approval.id].sort());
    expect(env.approvals.listPending(alice.userId)).toHaveLength(2);
  });

  it('confirmBecause (a partial plan): an auto-sized quote waits for the person, a dearer one keeps its tier with the reason', async () => {
    const alice = await env.signUp('alice@example.com');
    const because = 'This plan does not do everything you asked: "order a pizza" will not be done.';
    const partial = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']), confirmBecause: because });
    expect([partial.approval.status, partial.decision.kind]).toEqual(['pending', 'confirm']);
    expect(partial.decision.why).toContain(because);
    const dearer = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['report']), confirmBecause: because });
    expect([dearer.decision.kind, dearer.decision.why.startsWith(because)]).toEqual(['step_up', true]);
  });

  it('deny: created denied with the reason in why', async () => {
    const alice = await env.signUp('alice@example.com');
    env.saveSettings(alice.userId, { serviceRules: [{ serviceId: 'market/joke', rule: 'block', monthlyCap: null }] });
    const { decision, approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    expect(decision).toMatchObject({ kind: 'deny', reason: 'service_blocked' });
    expect(approval.status).toBe('denied');
    expect(approval.why).toMatch(/blocked/);
  });

  it('deny while a refunded top-up is owed: even an auto-sized spend is denied as account_in_debt, then allowed once repaid', async () => {
    const alice = await env.signUp('alice@example.com');
    // What charge.refunded leaves when the person had already spent the top-up (domain/topups/reversal.ts).
    const owe = (owedMsat: number) => {
      env.database.sqlite.prepare("DELETE FROM top_ups WHERE id = 'topup-1'").run();
      env.database.sqlite
        .prepare(
          `INSERT INTO top_ups (id, user_id, status, amount_usd_cents, amount_msat, rate_usd_cents, rate_per_msat, spread_bps,
             effective_cents_per_btc, refunded_usd_cents, reversed_msat, owed_msat, created_at_ms, updated_at_ms, funded_at_ms)
           VALUES ('topup-1', ?, 'refunded', 1000, 9700000, 10000000, 1, 300, 10309278, 1000, ?, ?, 0, 0, 0)`,
        )
        .run(alice.userId, 9_700_000 - owedMsat, owedMsat);
    };
    owe(2_000_000);
    const denied = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    expect(denied.decision).toMatchObject({ kind: 'deny', reason: 'account_in_debt' });
    expect(denied.approval.status).toBe('denied');
    expect(denied.approval.why).toMatch(/top-up left your balance owing/);
    owe(0);
    expect(env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['joke']) }).decision.kind).toBe('auto');
  });

  it('judges a multi-step quote by its total: three auto-sized steps together need a confirmation', async () => {
    const alice = await env.signUp('alice@example.com');
    env.probe.table.joke = { priceMsat: 40_000 }; // 50 sats each with the fee: 5 cents; three: 15 cents
    const { decision } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke', 'joke', 'joke']) });
    expect(decision.kind).toBe('confirm');
  });

  it('asking twice for one quote returns the first request', async () => {
    const alice = await env.signUp('alice@example.com');
    const quote = await env.quoteFor(alice.userId, 't1', ['summary']);
    const first = env.approvals.request({ userId: alice.userId, quote });
    expect(env.approvals.request({ userId: alice.userId, quote }).approval.id).toBe(first.approval.id);
  });

  it('an expired quote is never approved: its request is created expired', async () => {
    const alice = await env.signUp('alice@example.com');
    const quote = await env.quoteFor(alice.userId, 't1', ['joke']);
    env.clock.advance(15 * 60_000);
    expect(env.approvals.request({ userId: alice.userId, quote }).approval.status).toBe('expired');
  });
});

describe('transitions of a pending request', () => {
  it('pending -> approved (confirm needs no code) and never again', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const approved = env.approvals.approve({ userId: alice.userId, approvalId: approval.id });
    expect(approved).toMatchObject({ ok: true, approval: { status: 'approved' } });
    expect(auditKinds(alice.userId)).toContain('spend_approved');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'not_pending' });
    expect(env.approvals.deny({ userId: alice.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'not_pending' });
  });

  it('answering a request, by approving, denying or letting it expire, marks its waiting alert done', async () => {
    const alice = await env.signUp('alice@example.com');
    const waitingAlert = (approvalId: string) => env.alerts.list(alice.userId).find((a) => a.kind === 'approval_waiting' && a.data.approvalId === approvalId);
    const ask = async (taskId: string) => env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, taskId, ['summary']) }).approval;
    const [approved, denied, expired] = [await ask('t1'), await ask('t2'), await ask('t3')];
    expect(waitingAlert(approved.id)?.readAt).toBeNull();
    const unreadBefore = env.alerts.unreadCount(alice.userId);

    env.approvals.approve({ userId: alice.userId, approvalId: approved.id });
    env.approvals.deny({ userId: alice.userId, approvalId: denied.id });
    expect(waitingAlert(approved.id)?.readAt).not.toBeNull();
    expect(waitingAlert(denied.id)?.readAt).not.toBeNull();
    expect(waitingAlert(expired.id)?.readAt).toBeNull();
    env.clock.advance(15 * 60_000);
    env.approvals.get(alice.userId, expired.id);
    expect(waitingAlert(expired.id)?.readAt).not.toBeNull();
    expect(env.alerts.unreadCount(alice.userId)).toBe(unreadBefore - 3);
  });

  it('pending -> denied, then neither approvable nor deniable', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    expect(env.approvals.deny({ userId: alice.userId, approvalId: approval.id })).toMatchObject({ ok: true, approval: { status: 'denied' } });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'not_pending' });
  });

  it('pending -> expired at the quote expiry', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    env.clock.advance(15 * 60_000 - 1);
    expect(env.approvals.get(alice.userId, approval.id)?.status).toBe('pending');
    env.clock.advance(1);
    expect(env.approvals.get(alice.userId, approval.id)?.status).toBe('expired');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'expired' });
    expect(env.approvals.listPending(alice.userId)).toEqual([]);
  });

  it('pending -> cancelled with its task; other tasks are untouched', async () => {
    const alice = await env.signUp('alice@example.com');
    const t1 = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const t2 = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['summary']) });
    expect(env.approvals.cancelForTask({ userId: alice.userId, taskId: 't1' })).toBe(1);
    expect(env.approvals.get(alice.userId, t1.approval.id)?.status).toBe('cancelled');
    expect(env.approvals.get(alice.userId, t2.approval.id)?.status).toBe('pending');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: t1.approval.id })).toEqual({ ok: false, reason: 'not_pending' });
  });

  it("only the owner can act: bob gets not_found on alice's request and it stays pending", async () => {
    const alice = await env.signUp('alice@example.com');
    const bob = await env.signUp('bob@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    expect(env.approvals.approve({ userId: bob.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'not_found' });
    expect(env.approvals.deny({ userId: bob.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'not_found' });
    expect(env.approvals.get(bob.userId, approval.id)).toBeNull();
    expect(env.approvals.listPending(bob.userId)).toEqual([]);
    expect(env.approvals.cancelForTask({ userId: bob.userId, taskId: 't1' })).toBe(0);
    expect(env.approvals.get(alice.userId, approval.id)?.status).toBe('pending');
  });
});

describe('step-up: a fresh code checked on the server', () => {
  it('refuses without a code and with a wrong one, approves with a fresh one', async () => {
    const alice = await env.signUp('alice@example.com', { twoFactor: true });
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['report']) });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id })).toEqual({ ok: false, reason: 'code_required' });
    const wrong = alice.code() === '000000' ? '111111' : '000000';
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: wrong })).toEqual({ ok: false, reason: 'code_invalid' });
    expect(env.approvals.get(alice.userId, approval.id)?.status).toBe('pending');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: alice.code() })).toMatchObject({ ok: true });
    expect(auditKinds(alice.userId)).toEqual(expect.arrayContaining(['step_up_granted', 'step_up_used', 'spend_approved', 'second_factor_failed']));
  });

  it('a code used once cannot approve a second request', async () => {
    const alice = await env.signUp('alice@example.com', { twoFactor: true });
    const first = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['report']) });
    const second = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['report']) });
    const code = alice.code();
    expect(env.approvals.approve({ userId: alice.userId, approvalId: first.approval.id, totpCode: code })).toMatchObject({ ok: true });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: second.approval.id, totpCode: code })).toEqual({ ok: false, reason: 'code_already_used' });
    expect(env.approvals.get(alice.userId, second.approval.id)?.status).toBe('pending');
    env.clock.nextTotpStep();
    expect(env.approvals.approve({ userId: alice.userId, approvalId: second.approval.id, totpCode: alice.code() })).toMatchObject({ ok: true });
  });

  it('without two-factor on the account a large spend cannot be approved', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['report']) });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: '123456' })).toEqual({ ok: false, reason: 'two_factor_required' });
  });

  it('locks after repeated wrong codes and says until when', async () => {
    const alice = await env.signUp('alice@example.com', { twoFactor: true });
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['report']) });
    const wrong = alice.code() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: wrong });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: alice.code() })).toMatchObject({ ok: false, reason: 'locked', retryAt: expect.any(String) });
  });
});

describe('overage authorization', () => {
  async function overBudget() {
    const alice = await env.signUp('alice@example.com', { twoFactor: true });
    env.saveSettings(alice.userId, { monthlyLimit: { unit: 'sat', msat: msat(2_000_000) } });
    env.spend(alice.userId, msat(1_500_000));
    return alice;
  }

  it('needs a reason and a code, is audited with its amount, and covers that one quote only', async () => {
    const alice = await overBudget();
    const quote = await env.quoteFor(alice.userId, 't1', ['summary']);
    const { decision, approval } = env.approvals.request({ userId: alice.userId, quote });
    // 1,500 used + 1,010 quoted - 2,000 limit = 510 sats over.
    expect(decision).toMatchObject({ kind: 'overage_required', overageMsat: 510_000 });
    expect(approval).toMatchObject({ status: 'pending', overageMsat: 510_000 });

    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, totpCode: alice.code() })).toEqual({ ok: false, reason: 'overage_reason_required' });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, overage: { reason: '  ' }, totpCode: alice.code() })).toEqual({ ok: false, reason: 'overage_reason_required' });
    expect(env.approvals.approve({ userId: alice.userId, approvalId: approval.id, overage: { reason: 'Quarterly report' } })).toEqual({ ok: false, reason: 'code_required' });
    const approved = env.approvals.approve({ userId: alice.userId, approvalId: approval.id, overage: { reason: 'Quarterly report' }, totpCode: alice.code() });
    expect(approved).toMatchObject({ ok: true, approval: { status: 'approved', overageMsat: 510_000 } });

    const audited = env.accounts.audit.list(alice.userId).find((e) => e.kind === 'overage_authorized');
    expect(audited?.detail).toEqual({ approvalId: approval.id, quoteId: quote.id, overageMsat: 510_000, reason: 'Quarterly report' });
    expect(env.approvals.get(alice.userId, approval.id)).toMatchObject({ status: 'approved', stepMaxMsat: { s1: 1_000_000 }, overageMsat: 510_000 });

    // Another quote is a new question: it needs its own authorization.
    env.clock.nextTotpStep();
    const other = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['summary']) });
    expect(other.decision.kind).toBe('overage_required');
    expect(other.approval.status).toBe('pending');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: other.approval.id, overage: { reason: 'again' } })).toEqual({ ok: false, reason: 'code_required' });
  });
});

describe('waitForResolution', () => {
  it('resolves when the person answers, with the answered request', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const waiting = env.approvals.waitForResolution(approval.id);
    setTimeout(() => env.approvals.deny({ userId: alice.userId, approvalId: approval.id }), 5);
    expect((await waiting).status).toBe('denied');
  });

  it('resolves at once for an answered request, as expired once its time is up, and rejects on abort', async () => {
    const alice = await env.signUp('alice@example.com');
    const auto = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    expect((await env.approvals.waitForResolution(auto.approval.id)).status).toBe('approved');

    const pending = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't2', ['summary']) });
    const controller = new AbortController();
    const aborted = env.approvals.waitForResolution(pending.approval.id, controller.signal);
    controller.abort(new Error('task cancelled'));
    await expect(aborted).rejects.toThrow('task cancelled');

    const expiring = env.approvals.waitForResolution(pending.approval.id);
    env.clock.advance(15 * 60_000);
    env.approvals.expireDue();
    expect((await expiring).status).toBe('expired');
  });
});

describe('waitForResolution across instances', () => {
  it("wakes on an answer given on another instance whose live event it never heard, by reading again", async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const here = env.approvalsOfAnInstance(20);
    const waiting = here.waitForResolution(approval.id);
    // Denied through another instance whose bus this one does not share: no event reaches the waiter.
    expect(env.approvals.deny({ userId: alice.userId, approvalId: approval.id })).toMatchObject({ ok: true });
    expect((await waiting).status).toBe('denied');
  });
});

describe('waitForResolution without anyone reading', () => {
  it('expires the request by its own timer at the quote expiry', async () => {
    env.database.close();
    env = createGovernanceEnvironment(PRICES, { quoteTtlMs: 40 });
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['summary']) });
    const waiting = env.approvals.waitForResolution(approval.id);
    env.clock.advance(40); // the timer (about 50 ms of real time) then finds the request due
    expect((await waiting).status).toBe('expired');
  });
});

describe('requestReapproval (price drift)', () => {
  it('supersedes pending requests, names the invoice and the new total, alerts, and never auto-approves unless asked', async () => {
    const alice = await env.signUp('alice@example.com');
    const first = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    expect(first.approval.status).toBe('approved');
    env.probe.table.joke = { priceMsat: 6_000 };
    env.clock.advance(61_000); // past the price cache
    const requote = await env.quoteFor(alice.userId, 't1', ['joke']);
    const again = env.approvals.requestReapproval({ userId: alice.userId, taskId: 't1', quote: requote, reason: 'price_drift', stepId: 's1' });
    expect(again.decision.kind).toBe('confirm');
    expect(again.approval).toMatchObject({ status: 'pending', reason: 'price_drift', driftStepId: 's1', stepMaxMsat: { s1: 6_000 } });
    expect(again.approval.why).toMatch(/asks again because the price changed/);
    expect(again.approval.why).toMatch(/joke's invoice asks 6 sats \(less than 1 cent\), more than the 5 sats \(less than 1 cent\) you approved; with it this task comes to at most/);
    const drift = env.alerts.list(alice.userId).find((a) => a.kind === 'price_drift');
    expect(drift?.body).toMatch(/joke asked for 6 sats, 20% more than the 5 sats it quoted/);

    const newer = await env.quoteFor(alice.userId, 't1', ['summary']);
    env.approvals.requestReapproval({ userId: alice.userId, taskId: 't1', quote: newer, reason: 'price_drift', stepId: 's1' });
    expect(env.approvals.get(alice.userId, again.approval.id)?.status).toBe('cancelled');
  });
});

describe('stored approvals are parsed, never cast', () => {
  it('refuses a row whose step maxima or decision are damaged', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = env.approvals.request({ userId: alice.userId, quote: await env.quoteFor(alice.userId, 't1', ['joke']) });
    env.database.sqlite.prepare('UPDATE approvals SET step_max_msat_json = ? WHERE id = ?').run('{"s1":-1}', approval.id);
    expect(() => env.approvals.get(alice.userId, approval.id)).toThrow();
    env.database.sqlite.prepare('UPDATE approvals SET step_max_msat_json = ?, decision_json = ? WHERE id = ?').run('{"s1":5000}', '{"kind":"auto"}', approval.id);
    expect(() => env.approvals.get(alice.userId, approval.id)).toThrow();
  });
});
