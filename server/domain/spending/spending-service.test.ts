import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msat, type Msat } from '../../../shared/money';
import { createGovernanceEnvironment, planStep } from '../approvals/test-support';
import { DEFAULT_FEE_ALLOWANCE, feeAllowanceFor, type PurchaseOutcome, type PurchaseRequest } from '../payments';
import type { QuoteStepInput } from '../quotes';
import { createSpending } from './spending-service';

const PRICES = {
  joke: { priceMsat: 5_000 }, // 15 sats with the fee allowance: auto
  summary: { priceMsat: 1_000_000 }, // $1.01: confirm
  translate: { priceMsat: 20_000 },
};
const NODE_KEY = `02${'ab'.repeat(32)}`;

let env: ReturnType<typeof createGovernanceEnvironment>;
beforeEach(() => {
  env = createGovernanceEnvironment(PRICES);
});
afterEach(() => env.database.close());

const delivered: PurchaseOutcome = { kind: 'delivered', content: { status: 200, bodyText: '{}', bodySha256Hex: '00', contentType: 'application/json' }, paymentId: 'pay-1', via: 'paid' };

/**
 * Spending over the real approvals and quotes, with payments replaced by a recorder of what it was
 * asked. An agent key's hold is checked and written as the write-ahead does (invoice + fee allowance),
 * so a purchase the key refuses records no request.
 */
function spendingWith(outcomes: PurchaseOutcome[]) {
  const requests: PurchaseRequest[] = [];
  const spending = createSpending({
    approvals: env.approvals,
    quotes: env.quotes,
    payments: {
      purchase: async (request) => {
        const outcome = outcomes.shift() ?? delivered;
        const paymentId = 'paymentId' in outcome ? outcome.paymentId : null;
        const { approvedMaxMsat } = request.authorization;
        const holdMsat = msat(approvedMaxMsat + feeAllowanceFor(approvedMaxMsat, DEFAULT_FEE_ALLOWANCE));
        const refused = request.keyHold?.refusal(holdMsat, env.nowMs()) ?? null;
        if (refused) return { kind: 'budget_refused', reason: refused };
        if (paymentId !== null) request.keyHold?.hold(paymentId, holdMsat, env.nowMs());
        requests.push(request);
        // The payment takes a while: a second spend of the key starts meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return outcome;
      },
      records: { byId: () => ({ amountMsat: 5_000, feeMsat: 1_000 }) },
    },
    governance: env.governance,
    alerts: env.alerts,
    agentKeys: env.agentKeys,
    standing: env.standing,
    timeZoneOf: () => 'UTC',
    taskStartedAtMs: () => env.nowMs(),
  });
  return { spending, requests };
}

async function approvedQuote(userId: string, steps: QuoteStepInput[]) {
  const quoted = await env.quotes.quotePlan({ userId, taskId: 't1', steps });
  if (!quoted.ok) throw new Error(quoted.message);
  return env.approvals.request({ userId, quote: quoted.quote });
}

describe('spendStep', () => {
  it('pays an approved step from ids: limits, rate, payee and request all come from storage', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = await approvedQuote(alice.userId, [{ ...planStep('s1', 'joke', { topic: 'bitcoin' }), payeePubkeyHex: NODE_KEY }]);
    const { spending, requests } = spendingWith([]);
    const spent = await spending.spendStep({ userId: alice.userId, approvalId: approval.id, stepId: 's1' });
    expect(spent).toEqual({ outcome: delivered, reapproval: null });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      userId: alice.userId,
      idempotencyKey: 'task:t1:step:s1',
      serviceId: 'market/joke',
      service: 'joke',
      providerId: 'market',
      request: { method: 'GET', url: 'http://127.0.0.1:9/api/joke?topic=bitcoin' },
      authorization: { approvedMaxMsat: 5_000, authorizedOverageMsat: 0, rate: env.quotes.get(alice.userId, approval.quoteId)?.rate, expectedPayeePubkeyHex: NODE_KEY },
    });
    // The auto-approved spend is announced from the payment's outcome, with what it cost.
    const auto = env.alerts.list(alice.userId).filter((a) => a.kind === 'auto_approved');
    expect(auto).toHaveLength(1);
    expect(auto[0]?.data).toMatchObject({ approvalId: approval.id, paymentId: 'pay-1', amountMsat: 5_000 });
    expect(auto[0]?.body).toMatch(/^joke \(Demo market\) was paid 6 sats \(less than 1 cent\), fee included: /);
  });

  it("refuses another person's approval, a step it does not approve, a pending and an expired one, paying nothing", async () => {
    const alice = await env.signUp('alice@example.com');
    const bob = await env.signUp('bob@example.com');
    const auto = await approvedQuote(alice.userId, [planStep('s1', 'joke')]);
    const pending = await approvedQuote(alice.userId, [planStep('s1', 'summary')]);
    expect(pending.approval.status).toBe('pending');
    const { spending, requests } = spendingWith([]);
    const refusal = async (input: { userId: string; approvalId: string; stepId: string }) => (await spending.spendStep(input)).outcome;

    expect(await refusal({ userId: bob.userId, approvalId: auto.approval.id, stepId: 's1' })).toEqual({ kind: 'refused', reason: 'approval_not_found' });
    expect(await refusal({ userId: alice.userId, approvalId: auto.approval.id, stepId: 's2' })).toEqual({ kind: 'refused', reason: 'step_not_in_approval' });
    expect(await refusal({ userId: alice.userId, approvalId: pending.approval.id, stepId: 's1' })).toEqual({ kind: 'refused', reason: 'not_approved' });
    env.clock.advance(15 * 60_000);
    expect(await refusal({ userId: alice.userId, approvalId: pending.approval.id, stepId: 's1' })).toEqual({ kind: 'refused', reason: 'approval_expired' });
    expect(await refusal({ userId: alice.userId, approvalId: auto.approval.id, stepId: 's1' })).toEqual({ kind: 'refused', reason: 'quote_expired' });
    expect(requests).toHaveLength(0);
  });

  it('refuses, by name and paying nothing, a provider the person blocked or a service paused after the approval', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = await approvedQuote(alice.userId, [planStep('s1', 'joke')]);
    const { spending, requests } = spendingWith([]);
    const spend = async () => (await spending.spendStep({ userId: alice.userId, approvalId: approval.id, stepId: 's1' })).outcome;

    env.standing.blocked.add(`${alice.userId}|market`);
    expect(await spend()).toEqual({ kind: 'refused', reason: 'provider_blocked' });
    env.standing.blocked.clear();
    env.standing.paused.add('market/joke');
    expect(await spend()).toEqual({ kind: 'refused', reason: 'service_paused' });
    expect(requests).toHaveLength(0);
    env.standing.paused.clear();
    expect((await spend()).kind).toBe('delivered');
  });

  it('pays a chained step only with a text within the quoted bound and the rest of the input as quoted', async () => {
    const alice = await env.signUp('alice@example.com');
    const chained = { field: 'text', maxChars: 40, maxWords: 6 };
    const step = { ...planStep('s2', 'translate', { to: 'es', text: '(the result of step s1)' }), chained };
    const { approval } = await approvedQuote(alice.userId, [step]);
    const { spending, requests } = spendingWith([]);
    const spend = (resolvedInput?: Record<string, unknown>) => spending.spendStep({ userId: alice.userId, approvalId: approval.id, stepId: 's2', ...(resolvedInput ? { resolvedInput } : {}) });

    expect((await spend()).outcome).toEqual({ kind: 'refused', reason: 'input_not_quoted' });
    expect((await spend({ to: 'fr', text: 'Fees rose.' })).outcome).toEqual({ kind: 'refused', reason: 'input_not_quoted' });
    expect((await spend({ to: 'es', text: 'one two three four five six seven' })).outcome).toEqual({ kind: 'refused', reason: 'input_beyond_quote' });
    expect((await spend({ to: 'es', text: 'x'.repeat(41) })).outcome).toEqual({ kind: 'refused', reason: 'input_beyond_quote' });
    expect(requests).toHaveLength(0);

    expect((await spend({ to: 'es', text: 'Fees rose this week.' })).outcome.kind).toBe('delivered');
    expect(requests[0]?.request.url).toBe('http://127.0.0.1:9/api/translate?to=es&text=Fees+rose+this+week.');
  });
});

describe('price drift asks once, with the real price', () => {
  const drift = (invoiceMsat: number): PurchaseOutcome => ({ kind: 'needs_approval', reason: 'price_drift', invoiceMsat: msat(invoiceMsat), approvedMaxMsat: msat(5_000) });
  const approvedMax = (request: PurchaseRequest | undefined): Msat | undefined => request?.authorization.approvedMaxMsat;

  it('within the auto tier: re-approved at once at exactly the invoice, paid without pausing, and the person is told', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = await approvedQuote(alice.userId, [planStep('s1', 'joke')]);
    const { spending, requests } = spendingWith([drift(7_000)]);
    const spent = await spending.spendStep({ userId: alice.userId, approvalId: approval.id, stepId: 's1' });
    expect(spent.outcome.kind).toBe('delivered');
    expect(spent.reapproval?.approval).toMatchObject({ status: 'approved', reason: 'price_drift', stepMaxMsat: { s1: 7_000 } });
    expect(requests.map(approvedMax)).toEqual([5_000, 7_000]);
    expect(env.alerts.list(alice.userId).map((a) => a.kind).sort()).toEqual(['auto_approved', 'price_drift']);
  });

  it('beyond the auto tier: one pending approval naming the invoice; approving it authorizes exactly that amount', async () => {
    const alice = await env.signUp('alice@example.com');
    const { approval } = await approvedQuote(alice.userId, [planStep('s1', 'joke')]);
    const { spending, requests } = spendingWith([drift(900_000)]);
    const spent = await spending.spendStep({ userId: alice.userId, approvalId: approval.id, stepId: 's1' });
    expect(spent.outcome).toEqual({ kind: 'awaiting_reapproval', invoiceMsat: 900_000 });
    const reapproval = spent.reapproval?.approval;
    expect(reapproval).toMatchObject({ status: 'pending', stepMaxMsat: { s1: 900_000 } });
    expect(reapproval?.why).toMatch(/joke's invoice asks \$0\.90 \(900 sats\), more than the 5 sats \(less than 1 cent\) you approved; with it this task comes to at most \$0\.91 \(910 sats\)/);
    expect(requests).toHaveLength(1);

    if (!reapproval) throw new Error('no re-approval');
    expect(env.approvals.approve({ userId: alice.userId, approvalId: reapproval.id })).toMatchObject({ ok: true });
    const paid = await spending.spendStep({ userId: alice.userId, approvalId: reapproval.id, stepId: 's1' });
    expect(paid.outcome.kind).toBe('delivered');
    expect(requests.map(approvedMax)).toEqual([5_000, 900_000]);
  });
});

describe('payments takes no limits from callers', () => {
  it('a purchase request has no field for an approved maximum, an overage or a rate (type-checked)', () => {
    const forged = {
      userId: 'u',
      timeZone: 'UTC',
      idempotencyKey: 'k',
      task: null,
      serviceId: 'p/s',
      service: 's',
      providerId: 'p',
      request: { url: 'http://127.0.0.1:9/', method: 'GET' },
      // @ts-expect-error -- limits are not numbers a caller passes: only spending mints an authorization
      authorization: { approvedMaxMsat: msat(1_000_000), authorizedOverageMsat: msat(0), rate: { usdCents: 1, perMsat: 1 }, expectedPayeePubkeyHex: null },
    } satisfies PurchaseRequest;
    expect(forged.authorization.approvedMaxMsat).toBe(1_000_000);
  });
});

describe("an agent key narrows the person's rules and is re-checked when its step is paid", () => {
  const keyInput = { name: 'ide', monthlyCapSats: 25, perCallCapSats: 20, allowed: [], mayAutoSpend: true, expiresInDays: 30 };
  const paid = (paymentId: string): PurchaseOutcome => ({ ...delivered, paymentId });

  async function keyApproval(userId: string, keyId: string, service = 'joke') {
    const quoted = await env.quotes.quotePlan({ userId, taskId: `t-${Math.random()}`, steps: [planStep('s1', service)] });
    if (!quoted.ok) throw new Error(quoted.message);
    return env.approvals.request({ userId, quote: quoted.quote, agentKeyId: keyId });
  }

  it('pays within the caps, counts each payment against the key, and refuses the spend that would pass the monthly cap', async () => {
    const alice = await env.signUp('alice@example.com');
    const { key } = env.agentKeys.create(alice.userId, keyInput);
    const { spending, requests } = spendingWith([paid('pay-a'), paid('pay-b')]);
    const first = await keyApproval(alice.userId, key.id);
    expect(first.approval).toMatchObject({ status: 'approved', agentKeyId: key.id });
    expect((await spending.spendStep({ userId: alice.userId, approvalId: first.approval.id, stepId: 's1' })).outcome.kind).toBe('delivered');
    expect(env.agentKeys.get(alice.userId, key.id)?.spentThisMonthMsat).toBe(6_000);
    // 6 sats spent + a 15-sat maximum = 21 <= 25: still allowed, and counted.
    const second = await keyApproval(alice.userId, key.id);
    expect((await spending.spendStep({ userId: alice.userId, approvalId: second.approval.id, stepId: 's1' })).outcome.kind).toBe('delivered');
    expect(env.agentKeys.get(alice.userId, key.id)?.spentThisMonthMsat).toBe(12_000);
    // 12 + 15 > 25: the decision itself denies it by name.
    const third = await keyApproval(alice.userId, key.id);
    expect(third.decision).toMatchObject({ kind: 'deny', reason: 'over_key_monthly_cap' });
    expect(requests).toHaveLength(2);
  });

  it('a key revoked after its approval pays nothing; a key that must ask turns auto into confirm; caps and services deny by name', async () => {
    const alice = await env.signUp('alice@example.com');
    const bob = await env.signUp('bob@example.com');
    const { key } = env.agentKeys.create(alice.userId, keyInput);
    const approved = await keyApproval(alice.userId, key.id);
    env.agentKeys.revoke(alice.userId, key.id);
    const { spending, requests } = spendingWith([]);
    expect((await spending.spendStep({ userId: alice.userId, approvalId: approved.approval.id, stepId: 's1' })).outcome).toEqual({ kind: 'refused', reason: 'key_revoked' });
    expect(requests).toHaveLength(0);

    const asks = env.agentKeys.create(alice.userId, { ...keyInput, mayAutoSpend: false }).key;
    expect((await keyApproval(alice.userId, asks.id)).approval).toMatchObject({ status: 'pending', decisionKind: 'confirm' });
    const tiny = env.agentKeys.create(alice.userId, { ...keyInput, perCallCapSats: 10 }).key;
    expect((await keyApproval(alice.userId, tiny.id)).decision).toMatchObject({ kind: 'deny', reason: 'over_key_call_cap' });
    const jokesOnly = env.agentKeys.create(alice.userId, { ...keyInput, perCallCapSats: 2_000, monthlyCapSats: 2_000, allowed: ['market/joke'] }).key;
    expect((await keyApproval(alice.userId, jokesOnly.id, 'translate')).decision).toMatchObject({ kind: 'deny', reason: 'key_service_not_allowed' });
    // Alice's key named in Bob's request reaches nothing of Alice's: it is no key of Bob's.
    expect((await keyApproval(bob.userId, asks.id)).decision).toMatchObject({ kind: 'deny', reason: 'key_revoked' });
  });

  it("two spends of one key at once cannot both fit under its monthly cap: the second's write-ahead sees the first's hold", async () => {
    const alice = await env.signUp('alice@example.com');
    const { key } = env.agentKeys.create(alice.userId, { ...keyInput, monthlyCapSats: 20 });
    // Both approved while the key had spent nothing; only one still fits once the other is paid.
    const first = await keyApproval(alice.userId, key.id);
    const second = await keyApproval(alice.userId, key.id);
    const { spending, requests } = spendingWith([paid('pay-a'), paid('pay-b')]);
    const outcomes = await Promise.all([first, second].map((a) => spending.spendStep({ userId: alice.userId, approvalId: a.approval.id, stepId: 's1' })));
    expect(outcomes.map((o) => o.outcome.kind).sort()).toEqual(['delivered', 'refused']);
    expect(outcomes.find((o) => o.outcome.kind === 'refused')?.outcome).toEqual({ kind: 'refused', reason: 'over_key_monthly_cap' });
    expect(requests).toHaveLength(1);
  });

  it("never loosens: the person's own confirm tier stays confirm under a key that may auto-spend", async () => {
    const alice = await env.signUp('alice@example.com');
    const { key } = env.agentKeys.create(alice.userId, { ...keyInput, perCallCapSats: 5_000, monthlyCapSats: 5_000 });
    expect((await keyApproval(alice.userId, key.id, 'summary')).approval).toMatchObject({ status: 'pending', decisionKind: 'confirm' });
  });
});
