/**
 * The agent against a provider written to lie (support/adversarial-provider.ts), configured the way an
 * operator would (CATALOG_URLS, on loopback) beside the sandbox market: each lie is caught by name, no
 * invoice is paid twice, nothing is paid for a service that points elsewhere or asks more than was
 * approved, and after every attack the wallet's balance over NWC agrees with the ledger.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../agent/tasks/task-runner';
import { createReceipts, type Receipt } from '../domain/payments';
import { callerOver, TEST_PASSWORD } from '../api/test-harness';
import { createLogger } from '../logger';
import { askOnStack, isFinished, signUpOnStack, startAdversaryStack, untilTask, WELCOME_BALANCE_MSAT, type AgentStack } from './agent-support';
import {
  ACCOMPLICE_NODE,
  ADVERSARY_NODE,
  ADVERSARY_PROVIDER_ID,
  BEHAVIOURS,
  type RunningAdversary,
} from './support/adversarial-provider';

const SLOW_MS = 1_500;

let stack: AgentStack;
let adversary: RunningAdversary;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ stack, adversary, close } = await startAdversaryStack('adversary', { slowMs: SLOW_MS }));
}, 30_000);

afterAll(async () => {
  await close?.();
});

/** Asks the agent for one adversarial service by its name and waits until the task settles. */
const ask = (userId: string, serviceName: string, settled?: (task: TaskView) => boolean): Promise<TaskView> =>
  askOnStack(stack, userId, serviceName, settled);

const receiptsOf = (userId: string): Receipt[] => createReceipts(stack.database.db).list(userId);
const nodeBalance = (name: string) => stack.sandbox.network.node(name)?.balanceMsat() ?? 0;
const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The wallet's balance as it reports it over NWC (get_balance) is the ledger's: nothing held, nothing lost. */
async function expectWalletAgreesWithLedger(userId: string, paidMsat: number): Promise<void> {
  const status = await stack.wallet.status(userId);
  expect(status.balance).toEqual({ state: 'known', balanceMsat: WELCOME_BALANCE_MSAT - paidMsat });
  expect(stack.ledger.userBalances(userId)).toEqual({ availableMsat: WELCOME_BALANCE_MSAT - paidMsat, reservedMsat: 0 });
}

const paidIn = (receipts: readonly Receipt[]) => receipts.reduce((sum, r) => sum + r.amountMsat + (r.feeMsat ?? 0), 0);

describe('configuring the adversary', () => {
  it('loads a provider named in CATALOG_URLS although it is on loopback; the same server added by a person is refused', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const ids = stack.catalog.servicesFor(userId).map((s) => s.id);
    expect(ids).toContain(`${ADVERSARY_PROVIDER_ID}/${BEHAVIOURS.steady.name}`);
    // Beside the sandbox market, not instead of it.
    expect(ids).toContain('satoshi-jokes/joke');
    // A person adding a loopback URL stays behind the SSRF guard.
    const localhost = adversary.url.replace('127.0.0.1', 'localhost');
    expect(await stack.catalog.addProvider(userId, localhost)).toMatchObject({ ok: false, reason: 'blocked_address' });
  });

  it('refuses a service whose path leads to another origin when the catalog is built, and nothing is paid for it', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const detour = `${ADVERSARY_PROVIDER_ID}/${BEHAVIOURS.offOrigin.name}`;
    expect(stack.catalog.servicesFor(userId).map((s) => s.id)).not.toContain(detour);
    const provider = stack.catalog.providersFor(userId).find((p) => p.origin === adversary.url);
    expect(provider?.refused).toEqual([
      expect.objectContaining({ name: BEHAVIOURS.offOrigin.name, reason: 'off_origin_path', detail: expect.stringContaining(stack.sandbox.marketUrl) }),
    ]);
    const jokesBefore = nodeBalance('provider:satoshi-jokes');
    const task = await ask(userId, BEHAVIOURS.offOrigin.name);
    expect(task.status).toBe('failed');
    expect(receiptsOf(userId)).toEqual([]);
    expect(nodeBalance('provider:satoshi-jokes')).toBe(jokesBefore);
    await expectWalletAgreesWithLedger(userId, 0);
  }, 30_000);
});

describe('lies after payment: paid, not delivered, with the evidence kept', () => {
  it.each([
    { behaviour: BEHAVIOURS.emptyBody, reason: 'empty_body', body: '', detail: /empty body/ },
    { behaviour: BEHAVIOURS.garbageBody, reason: 'not_json', body: '\u0000\u00ff<<not json at all>>', detail: /not JSON/ },
    {
      behaviour: BEHAVIOURS.schemaInvalid,
      reason: 'schema_invalid',
      body: JSON.stringify({ answer: 42, note: 'the answer field should be a string' }),
      detail: /output schema: answer: .*string/,
    },
  ])('a 200 with $reason after payment is paid_not_delivered, paid once', async ({ behaviour, reason, body, detail }) => {
    const userId = await signUpOnStack(stack, 'adversary');
    const before = adversary.counts(behaviour.name);
    const task = await ask(userId, behaviour.name);

    expect(task.status).toBe('failed');
    expect(task.failure?.reason).toBe('paid_not_delivered');
    expect(task.steps.map((s) => [s.serviceName, s.status, s.outcome, s.reason])).toEqual([[behaviour.name, 'failed', 'paid_not_delivered', reason]]);
    const receipts = receiptsOf(userId);
    expect(receipts).toHaveLength(1);
    const [receipt] = receipts;
    expect(receipt).toMatchObject({
      outcome: 'paid_not_delivered',
      reason,
      amountMsat: behaviour.priceMsat,
      evidence: { httpStatus: 200, responseSha256: sha256Hex(body), responseBytes: Buffer.byteLength(body, 'utf8') },
    });
    expect(receipt?.reasonDetail).toMatch(detail);
    const { paidAtMs, deliveryRequestedAtMs, deliveredAtMs } = receipt?.evidence ?? {};
    expect(paidAtMs).toBeTypeOf('number');
    expect(deliveryRequestedAtMs).toBeGreaterThanOrEqual(paidAtMs ?? Infinity);
    expect(deliveredAtMs).toBeGreaterThanOrEqual(deliveryRequestedAtMs ?? Infinity);
    // A judged answer is not retried: one paid call, one invoice.
    expect(adversary.counts(behaviour.name)).toEqual({ challenges: before.challenges + 1, paidCalls: before.paidCalls + 1 });
    await expectWalletAgreesWithLedger(userId, paidIn(receipts));
  }, 30_000);

  it('judges the token bought earlier too: a second task gets nothing and pays nothing', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    await ask(userId, BEHAVIOURS.schemaInvalid.name);
    const paid = receiptsOf(userId);
    expect(paid).toHaveLength(1);

    const again = await ask(userId, BEHAVIOURS.schemaInvalid.name);
    expect(again.status).toBe('failed');
    expect(again.steps[0]?.reason).toBe('cached_token_not_delivered');
    expect(receiptsOf(userId)).toHaveLength(1);
    await expectWalletAgreesWithLedger(userId, paidIn(paid));
  }, 30_000);

  it.each([
    { behaviour: BEHAVIOURS.paid402, reason: 'challenged_again', httpStatus: 402, paidCalls: 1 },
    // 5xx is retried a bounded number of times with the same token, never with a new payment.
    { behaviour: BEHAVIOURS.paid500, reason: 'server_error', httpStatus: 500, paidCalls: 3 },
  ])('a $httpStatus after payment is paid_not_delivered and never paid twice', async ({ behaviour, reason, httpStatus, paidCalls }) => {
    const userId = await signUpOnStack(stack, 'adversary');
    const adversaryBefore = nodeBalance(ADVERSARY_NODE);
    const before = adversary.counts(behaviour.name);
    const task = await ask(userId, behaviour.name);

    expect(task.failure?.reason).toBe('paid_not_delivered');
    expect(task.steps[0]?.reason).toBe(reason);
    const receipts = receiptsOf(userId);
    expect(receipts.map((r) => [r.outcome, r.reason, r.evidence.httpStatus])).toEqual([['paid_not_delivered', reason, httpStatus]]);
    expect(adversary.counts(behaviour.name).paidCalls - before.paidCalls).toBe(paidCalls);
    // The provider's node received the price exactly once.
    expect(nodeBalance(ADVERSARY_NODE) - adversaryBefore).toBe(behaviour.priceMsat);
    await expectWalletAgreesWithLedger(userId, paidIn(receipts));
  }, 30_000);

  it('a slow answer after payment is waited for (within the fetch timeout) and delivered once, paid once', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const task = await ask(userId, BEHAVIOURS.slow.name);
    expect(task.status).toBe('completed');
    expect(task.steps[0]?.output).toEqual({ answer: `${BEHAVIOURS.slow.name} delivered` });
    const receipts = receiptsOf(userId);
    expect(receipts).toHaveLength(1);
    const evidence = receipts[0]?.evidence;
    expect((evidence?.deliveredAtMs ?? 0) - (evidence?.deliveryRequestedAtMs ?? Infinity)).toBeGreaterThanOrEqual(SLOW_MS - 50);
    expect(adversary.counts(BEHAVIOURS.slow.name).paidCalls).toBe(1);
    await expectWalletAgreesWithLedger(userId, paidIn(receipts));
  }, 30_000);

  it('the honest control service delivers, so the lies above are caught for what they are', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const task = await ask(userId, BEHAVIOURS.steady.name);
    expect(task.status).toBe('completed');
    expect(receiptsOf(userId).map((r) => r.outcome)).toEqual(['delivered']);
  }, 30_000);
});

describe('lies before payment: nothing paid without the person', () => {
  it('an invoice above the manifest price is not paid without a new approval, which names the invoice; approving pays it once', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const adversaryBefore = nodeBalance(ADVERSARY_NODE);
    const task = await ask(userId, BEHAVIOURS.overpriced.name, (t) => t.status === 'paused' || isFinished(t));
    expect(task.status).toBe('paused');
    expect(task.steps[0]).toMatchObject({ status: 'pending', outcome: 'needs_approval', reason: 'price_drift', paymentId: null });
    // The re-approval shows what the invoice asks, not the manifest's price again.
    expect(task.steps[0]).toMatchObject({ priceMsatMin: 200_000, priceMsatMax: 200_000 });
    const approval = stack.approvals.get(userId, task.approvalId ?? '');
    expect(approval).toMatchObject({ status: 'pending', reason: 'price_drift' });
    expect(approval?.why).toMatch(/invoice asks \$0\.20 \(200 sats\)/);
    expect(receiptsOf(userId)).toEqual([]);
    expect(nodeBalance(ADVERSARY_NODE)).toBe(adversaryBefore);
    await expectWalletAgreesWithLedger(userId, 0);

    expect(stack.approvals.approve({ userId, approvalId: approval?.id ?? '' })).toMatchObject({ ok: true });
    const done = await untilTask(stack, userId, task.id, (t) => isFinished(t));
    expect(done.status).toBe('completed');
    // Approving did not produce the next drift approval: one re-approval, one payment of exactly the invoice.
    expect(stack.approvals.list(userId).filter((a) => a.reason === 'price_drift')).toHaveLength(1);
    expect(receiptsOf(userId).map((r) => r.amountMsat)).toEqual([200_000]);
    expect(nodeBalance(ADVERSARY_NODE)).toBe(adversaryBefore + 200_000);
  }, 30_000);

  it('an invoice signed by another node than the manifest names is refused by name before paying', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const accompliceBefore = nodeBalance(ACCOMPLICE_NODE);
    const task = await ask(userId, BEHAVIOURS.wrongPayee.name);
    expect(task.status).toBe('failed');
    expect(task.steps[0]).toMatchObject({ status: 'failed', outcome: 'refused_before_payment', reason: 'payee_mismatch' });
    expect(receiptsOf(userId)).toEqual([]);
    expect(nodeBalance(ACCOMPLICE_NODE)).toBe(accompliceBefore);
    await expectWalletAgreesWithLedger(userId, 0);
  }, 30_000);

  it('a drift of a few sats inside the auto-approve tier proceeds after a notification and pays exactly once', async () => {
    const userId = await signUpOnStack(stack, 'adversary');
    const alertsBefore = stack.alerts.list(userId).length;
    const task = await ask(userId, BEHAVIOURS.drift.name);
    expect(task.status).toBe('completed');
    const receipts = receiptsOf(userId);
    expect(receipts.map((r) => [r.outcome, r.amountMsat])).toEqual([['delivered', BEHAVIOURS.drift.invoice.amountMsat]]);
    expect(adversary.counts(BEHAVIOURS.drift.name).paidCalls).toBe(1);
    expect(stack.alerts.list(userId).length).toBeGreaterThan(alertsBefore);
    expect(stack.alerts.list(userId).map((a) => a.kind)).toEqual(expect.arrayContaining(['price_drift', 'auto_approved']));
    // Re-approved within the auto tier at once: nobody was asked, and it was asked only once.
    expect(stack.approvals.list(userId).filter((a) => a.reason === 'price_drift').map((a) => a.status)).toEqual(['approved']);
    await expectWalletAgreesWithLedger(userId, paidIn(receipts));
  }, 30_000);
});

describe('through the API, as the pages see it', () => {
  it('Services names the off-origin refusal; Activity and the task show a schema-invalid 200 as paid, not delivered', async () => {
    const deps = { mode: 'sandbox' as const, version: '0.0.0-test', logger: createLogger({ level: 'silent' }), ...stack };
    const signUp = callerOver(deps, null);
    const { user } = await signUp.caller.auth.signUp({ email: 'adversary-api@example.com', password: TEST_PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' });
    const api = callerOver(deps, signUp.jar.token).caller;

    const catalog = await api.catalog.list();
    expect(catalog.providers.find((p) => p.origin === adversary.url)?.refused.map((r) => [r.name, r.reason])).toEqual([[BEHAVIOURS.offOrigin.name, 'off_origin_path']]);
    expect(catalog.services.some((s) => s.name === BEHAVIOURS.offOrigin.name)).toBe(false);

    const submitted = await api.tasks.submit({ text: BEHAVIOURS.schemaInvalid.name });
    await untilTask(stack, user.id, submitted.id, (t) => isFinished(t));
    const task = await api.tasks.get({ taskId: submitted.id });
    expect(task.failure?.reason).toBe('paid_not_delivered');
    expect(task.steps[0]?.reason).toBe('schema_invalid');
    const [receipt, ...others] = await api.activity.list();
    expect(others).toEqual([]);
    expect(receipt).toMatchObject({ outcome: 'paid_not_delivered', reason: 'schema_invalid', evidence: { httpStatus: 200 } });
    expect(receipt?.reasonDetail).toContain('answer');
  }, 30_000);
});
