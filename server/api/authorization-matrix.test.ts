import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../shared/governance';
import { looseningsOf, timeZoneLoosenings } from '../../shared/loosening';
import { usdCents } from '../../shared/money';
import { totpCode } from '../domain/accounts/test-support';
import { insertDisputeUnderReview, insertOpenClaim } from '../domain/disputes/test-support';
import { planStep } from '../domain/quotes/test-support';
import { pauseServiceDirectly } from '../domain/reputation/test-support';
import { balanceOfSats, fakeReadOnlyWallet, FAKE_WALLET_INFO, invoiceMadeFor } from '../domain/wallet/test-support';
import { appRouter } from './router';
import { createApiHarness, TEST_PASSWORD } from './test-harness';

/**
 * Every procedure of the app, who may call it, and a sample input. The first test fails when a
 * procedure is missing here, so a new procedure cannot ship without saying who may call it.
 *
 * To add a procedure: add a row. `input` builds a valid input for the caller; for a procedure that
 * takes the id of an owned object, add `foreignObject`: it returns an input naming an object of
 * *alice* and a check that the object is unchanged. The matrix then proves that signed-out callers get
 * UNAUTHORIZED, plain users get FORBIDDEN on operator procedures, bob's calls never return alice's
 * data, bob gets NOT_FOUND/FORBIDDEN on alice's objects, and nothing bob does changes alice's state.
 */
type Access = 'public' | 'authed' | 'operator';
interface Fixture {
  h: ReturnType<typeof createApiHarness>;
  alice: { id: string; email: string; sessionIds: string[] };
}
interface Row {
  access: Access;
  input?: (f: Fixture) => unknown;
  foreignObject?: (f: Fixture) => { input: unknown; unchanged: () => void };
  /**
   * For a procedure that can loosen the budget guard (shared/loosening.ts): an input that loosens
   * alice's settings. Sent without a code from her own second session, it must be refused.
   */
  loosens?: (f: Fixture) => unknown;
}

const code = { code: '123456' };
const MATRIX: Record<string, Row> = {
  'system.info': { access: 'public' },
  'auth.session': { access: 'public' },
  'auth.signUp': {
    access: 'public',
    input: () => ({ email: `new-${Math.random()}@example.com`, password: TEST_PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' }),
  },
  'auth.signIn': { access: 'public', input: (f) => ({ email: f.alice.email, password: 'not-alices-password' }) },
  // Forged links: anyone may try one, and it changes nothing.
  'auth.inspectResetLink': { access: 'public', input: (f) => ({ token: `${f.alice.id}.${Date.now() + 60_000}.${'0'.repeat(64)}` }) },
  'auth.resetPassword': { access: 'public', input: (f) => ({ token: `${f.alice.id}.${Date.now() + 60_000}.${'0'.repeat(64)}`, newPassword: 'quince-harbour-violet-77' }) },
  'auth.signOut': { access: 'authed' },
  'account.updatePreferences': {
    access: 'authed',
    // Everyone here signs up in America/New_York: the sample changes the display currency only (free).
    input: () => ({ timeZone: 'America/New_York', displayCurrency: 'SAT' }),
    // A zone further east starts the next budget month early.
    loosens: () => ({ timeZone: 'Pacific/Kiritimati', displayCurrency: 'USD' }),
  },
  // Wrong passwords: the caller is allowed in, and the refusal changes nothing.
  'account.changePassword': { access: 'authed', input: () => ({ currentPassword: 'not-the-password', newPassword: 'quince-harbour-violet-77' }) },
  'account.exportData': { access: 'authed', input: () => ({ format: 'json' }) },
  'account.deletionStanding': { access: 'authed' },
  'account.deleteAccount': { access: 'authed', input: () => ({ password: 'not-the-password' }) },
  'security.twoFactorStatus': { access: 'authed' },
  'security.beginTotpEnrollment': { access: 'authed' },
  'security.confirmTotpEnrollment': { access: 'authed', input: () => ({ ...code, password: TEST_PASSWORD }) },
  'security.disableTotp': { access: 'authed', input: () => code },
  'security.regenerateRecoveryCodes': { access: 'authed', input: () => code },
  'security.sessions': { access: 'authed' },
  'security.revokeSession': {
    access: 'authed',
    input: () => ({ sessionId: 'no-such-session' }),
    foreignObject: (f) => {
      const sessionId = f.alice.sessionIds[0] ?? '';
      return {
        input: { sessionId },
        unchanged: () => expect(f.h.sessions.list(f.alice.id, null).map((s) => s.id)).toContain(sessionId),
      };
    },
  },
  'security.signOutEverywhere': { access: 'authed' },
  'security.auditLog': { access: 'authed', input: () => ({}) },
  'operator.users': { access: 'operator' },
  'tasks.submit': { access: 'authed', input: () => ({ text: 'book me a flight to Lisbon' }) },
  'tasks.list': { access: 'authed' },
  'tasks.get': { access: 'authed', input: () => ({ taskId: 'no-such-task' }), foreignObject: (f) => aliceTask(f) },
  'tasks.cancel': { access: 'authed', input: () => ({ taskId: 'no-such-task' }), foreignObject: (f) => aliceTask(f) },
  'tasks.judgeStep': {
    access: 'authed',
    input: () => ({ taskId: 'no-such-task', stepId: 's1', verdict: 'dispute', complaint: 'nothing came' }),
    foreignObject: (f) => ({ ...aliceTask(f), input: { taskId: aliceTaskId, stepId: 's1', verdict: 'accept' } }),
  },
  'tasks.onUpdate': { access: 'authed', input: () => ({}) },
  'catalog.list': { access: 'authed' },
  'catalog.reputation': { access: 'authed' },
  'catalog.setPreference': {
    access: 'authed',
    input: () => ({ serviceId: 'satoshi-jokes/joke', preference: 'block' }),
    loosens: () => ({ serviceId: 'satoshi-jokes/joke', preference: 'allow' }),
  },
  'catalog.priceHistory': { access: 'authed', input: () => ({ serviceId: 'satoshi-jokes/joke' }) },
  'catalog.addProvider': { access: 'authed', input: () => ({ url: 'https://provider.example' }) },
  'catalog.removeProvider': { access: 'authed', input: () => ({ providerId: 'no-such-provider' }) },
  'activity.list': { access: 'authed', input: () => ({}) },
  'activity.exportCsv': { access: 'authed', input: () => ({}) },
  'activity.services': { access: 'authed' },
  'budget.settings': { access: 'authed' },
  'budget.saveSettings': {
    access: 'authed',
    // Keeps the block catalog.setPreference's sample sets, so the sample only tightens (needs no code).
    input: () => ({
      settings: {
        ...DEFAULT_GOVERNANCE_SETTINGS,
        monthlyLimit: { unit: 'usd', usdCents: 2_000 },
        serviceRules: [{ serviceId: 'satoshi-jokes/joke', rule: 'block', monthlyCap: null }],
      },
    }),
    loosens: () => ({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { autoMaxUsdCents: 100_000, confirmMaxUsdCents: 100_000, notifyOnAuto: false } } }),
  },
  'budget.status': { access: 'authed' },
  'approvals.pending': { access: 'authed' },
  'approvals.recent': { access: 'authed', input: () => ({}) },
  'approvals.get': { access: 'authed', input: () => ({ approvalId: 'no-such-approval' }), foreignObject: (f) => aliceApproval(f) },
  'approvals.approve': { access: 'authed', input: () => ({ approvalId: 'no-such-approval' }), foreignObject: (f) => aliceApproval(f) },
  'approvals.deny': { access: 'authed', input: () => ({ approvalId: 'no-such-approval' }), foreignObject: (f) => aliceApproval(f) },
  // Bob's markRead of alice's ids answers { marked: 0 }; aliceState() proves her alerts stay unread.
  'alerts.list': { access: 'authed', input: () => ({}) },
  'alerts.unreadCount': { access: 'authed' },
  'alerts.markRead': { access: 'authed', input: () => ({ ids: [aliceAlertId] }) },
  'alerts.markAllRead': { access: 'authed' },
  'alerts.onAlert': { access: 'authed' },
  'wallet.summary': { access: 'authed' },
  'wallet.status': { access: 'authed' },
  'topUps.limits': { access: 'authed' },
  'topUps.quote': { access: 'authed', input: () => ({ amountUsdCents: 1_000 }) },
  'topUps.create': { access: 'authed', input: () => ({ amountUsdCents: 1_000 }) },
  'topUps.get': { access: 'authed', input: () => ({ topUpId: 'no-such-top-up' }), foreignObject: (f) => aliceTopUp(f) },
  'topUps.watch': { access: 'authed', input: () => ({ topUpId: 'no-such-top-up' }) },
  'wallet.connectOwn': { access: 'authed', input: () => ({ connectionString: 'nostr+walletconnect://not-a-wallet', password: TEST_PASSWORD }) },
  'wallet.disconnectOwn': { access: 'authed', input: () => ({ password: TEST_PASSWORD }) },
  'wallet.createInvoice': { access: 'authed', input: () => ({ amountSat: 1_000 }) },
  'wallet.receiveStatus': {
    access: 'authed',
    input: () => ({ id: '00000000-0000-4000-8000-000000000000' }),
    foreignObject: (f) => {
      const before = f.h.deps.wallet.exportCsv(f.alice.id);
      return { input: { id: aliceReceiveId }, unchanged: () => expect(f.h.deps.wallet.exportCsv(f.alice.id)).toBe(before) };
    },
  },
  'wallet.withdraw': { access: 'authed', input: () => ({ invoice: 'lnbcrt10u1notaninvoice', password: TEST_PASSWORD }) },
  'wallet.exportMovements': { access: 'authed' },
  'agentKeys.list': { access: 'authed' },
  'agentKeys.create': { access: 'authed', input: () => ({ name: 'bob agent', monthlyCapSats: 100, perCallCapSats: 10, password: TEST_PASSWORD }) },
  'agentKeys.revoke': { access: 'authed', input: () => ({ keyId: 'no-such-key' }), foreignObject: (f) => aliceAgentKey(f) },
  'disputes.open': { access: 'authed', input: () => ({ taskId: 'no-such-task', stepId: 's1', category: 'wrong_or_low_quality', reason: 'bad' }) },
  'disputes.list': { access: 'authed' },
  'disputes.limits': { access: 'authed' },
  'disputes.get': { access: 'authed', input: () => ({ disputeId: 'no-such-dispute' }), foreignObject: (f) => aliceDispute(f) },
  // Each operator call gets a fresh dispute of alice's under review, so each decision is a first one.
  'disputes.queue': { access: 'operator' },
  'disputes.refund': { access: 'operator', input: (f) => ({ disputeId: disputeUnderReview(f), amountMsat: 1_000, note: 'half' }) },
  'disputes.reject': { access: 'operator', input: (f) => ({ disputeId: disputeUnderReview(f), note: 'the answer was fine' }) },
  'home.checklist': { access: 'authed' },
  'home.mark': { access: 'authed', input: () => ({ step: 'top_up', action: 'skip' }) },
  'home.monthSpending': { access: 'authed' },
  'disputes.onChange': { access: 'authed' },
  'reputation.blocked': { access: 'authed' },
  'reputation.blockFromDispute': { access: 'authed', input: () => ({ disputeId: 'no-such-dispute' }), foreignObject: (f) => aliceDispute(f) },
  // Alice blocked Satoshi Jokes (beforeAll): unblocking it loosens her guard.
  'reputation.unblock': { access: 'authed', input: () => ({ providerId: 'satoshi-jokes' }), loosens: () => ({ providerId: 'satoshi-jokes' }) },
  'reputation.pauses': { access: 'operator' },
  'reputation.setPausePolicy': { access: 'operator', input: () => ({ thresholdBps: 5_000, minPaidCalls: 10 }) },
  // Each operator call gets a service paused a moment before, so each resume is a first one.
  'reputation.resume': { access: 'operator', input: (f) => ({ serviceId: pausedService(f) }) },
  'reputation.providerHistory': { access: 'operator', input: () => ({ providerId: 'satoshi-jokes' }) },
  'claims.list': { access: 'operator' },
  // Each operator call gets a fresh open claim, so each settlement is a first one.
  'claims.settle': { access: 'operator', input: (f) => ({ claimId: openClaim(f), note: 'paid back' }) },
};

let pauseSeq = 0;
/** A service paused for everyone, written directly (the matrix checks access, not the threshold). */
function pausedService(f: Fixture): string {
  pauseSeq += 1;
  const serviceId = `satoshi-jokes/paused-${pauseSeq}`;
  pauseServiceDirectly(f.h.database.db, { serviceId, providerId: 'satoshi-jokes' });
  return serviceId;
}

let claimSeq = 0;
/** An open claim against a provider over one of alice's disputes, written directly (the matrix checks access). */
function openClaim(f: Fixture): string {
  claimSeq += 1;
  const id = `claim-${claimSeq}`;
  insertOpenClaim(f.h.database.db, { id, disputeId: disputeUnderReview(f), userId: f.alice.id });
  return id;
}

/** Alice's dispute: bob must neither read it nor learn it exists. */
let aliceDisputeId = '';
function aliceDispute(f: Fixture) {
  const before = JSON.stringify(f.h.deps.disputes.get(f.alice.id, aliceDisputeId));
  return {
    input: { disputeId: aliceDisputeId },
    unchanged: () => expect(JSON.stringify(f.h.deps.disputes.get(f.alice.id, aliceDisputeId))).toBe(before),
  };
}

let disputeSeq = 0;
/** A dispute of alice's under review, written directly (the matrix checks access, not opening). */
function disputeUnderReview(f: Fixture): string {
  disputeSeq += 1;
  return insertDisputeUnderReview(f.h.database.db, { id: `alice-dispute-${disputeSeq}`, userId: f.alice.id, stepId: `s-${disputeSeq}` });
}

/** Alice's receive invoice: bob must not read it, nor learn whether it was paid. */
let aliceReceiveId = '';
const ALICE_INVOICE = 'lnbcrt10u1alicesinvoice7d3f';

let aliceTopUpId = '';
function aliceTopUp(f: Fixture) {
  const before = JSON.stringify(f.h.deps.topUps.get(f.alice.id, aliceTopUpId));
  return {
    input: { topUpId: aliceTopUpId },
    unchanged: () => expect(JSON.stringify(f.h.deps.topUps.get(f.alice.id, aliceTopUpId))).toBe(before),
  };
}

const JOKE_SERVICE = {
  name: 'joke',
  provider: { id: 'satoshi-jokes', name: 'Satoshi Jokes' },
  resources: [{ path: '/v1/joke', method: 'GET', pricing: { model: 'fixed', price_msat: 5_000 }, input_schema: { type: 'object', properties: {} } }],
};

/** Alice's wallet answers with a name only she may see (bob has no wallet, so his status says so). */
const ALICE_WALLET_ALIAS = 'alice-wallet-5c1e';

/** Alice's pending approval (a confirm-tier quote) and its alert; bob must not see, answer or read them. */
let aliceApprovalId = '';
let aliceAlertId = 0;
function aliceApproval(f: Fixture) {
  const before = JSON.stringify(f.h.deps.approvals.get(f.alice.id, aliceApprovalId));
  return {
    input: { approvalId: aliceApprovalId },
    unchanged: () => expect(JSON.stringify(f.h.deps.approvals.get(f.alice.id, aliceApprovalId))).toBe(before),
  };
}

/** Alice's agent key; bob must not see or revoke it (its MCP side: server/integration/mcp.test.ts). */
let aliceKeyId = '';
function aliceAgentKey(f: Fixture) {
  const before = JSON.stringify(f.h.deps.agentKeys.get(f.alice.id, aliceKeyId));
  return {
    input: { keyId: aliceKeyId },
    unchanged: () => expect(JSON.stringify(f.h.deps.agentKeys.get(f.alice.id, aliceKeyId))).toBe(before),
  };
}

/** Alice's task (planned to "unsupported" by the harness's empty catalog); bob must not see or change it. */
let aliceTaskId = '';
function aliceTask(f: Fixture) {
  const before = JSON.stringify(f.h.deps.tasks.get(f.alice.id, aliceTaskId));
  return {
    input: { taskId: aliceTaskId },
    unchanged: () => expect(JSON.stringify(f.h.deps.tasks.get(f.alice.id, aliceTaskId))).toBe(before),
  };
}

// At runtime the router's procedure record is flat, keyed by dotted path ('security.sessions').
const procedurePaths = Object.keys(appRouter._def.procedures as unknown as Record<string, unknown>);

async function call(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (input: unknown) => Promise<unknown>)(input);
}
async function errorCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

describe('authorization matrix', () => {
  let f: Fixture;
  let aliceSecrets: string[];
  let operatorToken: string;

  beforeAll(async () => {
    // One catalog service, so per-service rules (allow/block) can be set and loosened.
    const h = createApiHarness({ providerManifest: { version: '0.1', services: [JOKE_SERVICE] } });
    await h.deps.catalog.refreshAll();
    const alice = await h.signUp('alice@example.com');
    const begun = await alice.as().security.beginTotpEnrollment();
    const { recoveryCodes } = await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
    h.clock.nextTotpStep();
    h.sessions.create(alice.user.id, { ip: '10.0.0.9', userAgent: 'alice-phone' });
    await h.accounts.ensureOperator({ email: 'op@example.com', password: TEST_PASSWORD });
    const op = await h.accounts.signIn({ email: 'op@example.com', password: TEST_PASSWORD }, { ip: null, userAgent: null });
    if (!op.ok) throw new Error(op.reason);
    operatorToken = op.sessionToken;
    const sessionIds = h.sessions.list(alice.user.id, null).map((s) => s.id);
    f = { h, alice: { id: alice.user.id, email: alice.user.email, sessionIds } };
    const submitted = h.deps.tasks.submit(alice.user.id, 'book me a flight to Lisbon');
    if (!submitted.ok) throw new Error(submitted.reason);
    aliceTaskId = submitted.task.id;
    await h.deps.tasks.idle();
    const quoted = await h.deps.quotes.quotePlan({ userId: alice.user.id, taskId: 'alice-task', steps: [planStep('s1', 'summary')] });
    if (!quoted.ok) throw new Error(quoted.message);
    aliceApprovalId = h.deps.approvals.request({ userId: alice.user.id, quote: quoted.quote }).approval.id;
    aliceAlertId = h.deps.alerts.list(alice.user.id)[0]?.id ?? 0;
    const topUp = await h.deps.topUps.create(alice.user.id, usdCents(1_000));
    if (!topUp.ok) throw new Error(topUp.reason);
    aliceTopUpId = topUp.topUp.id;
    const aliceKey = h.deps.agentKeys.create(alice.user.id, { name: 'alice agent', monthlyCapSats: 100, perCallCapSats: 10, allowed: [], mayAutoSpend: false, expiresInDays: 30 });
    aliceKeyId = aliceKey.key.id;
    aliceDisputeId = disputeUnderReview(f);
    h.deps.standing.block(alice.user.id, { providerId: 'satoshi-jokes', providerName: 'Satoshi Jokes', disputeId: aliceDisputeId });
    expect(aliceAlertId).toBeGreaterThan(0);
    h.wallets.set(alice.user.id, {
      ...fakeReadOnlyWallet({ info: { ok: true, value: { ...FAKE_WALLET_INFO, alias: ALICE_WALLET_ALIAS } }, balance: balanceOfSats(7) }),
      makeInvoice: async () => ({ ok: true, value: invoiceMadeFor(ALICE_INVOICE, 1_000) }),
    });
    aliceReceiveId = (await alice.as().wallet.createInvoice({ amountSat: 1_000 })).id;
    aliceSecrets = [aliceDisputeId, ALICE_WALLET_ALIAS, ALICE_INVOICE, aliceReceiveId, aliceApprovalId, quoted.quote.id, aliceTaskId, aliceTopUpId, aliceKey.secret, aliceKey.key.keyPrefix, aliceKeyId, alice.user.id, alice.user.email, alice.token, begun.secret, ...sessionIds, ...recoveryCodes];
  });
  afterAll(() => f.h.database.close());

  /** A fresh signed-in bob per call, so one call (e.g. signing out everywhere) cannot spoil the next. */
  async function bob() {
    const existing = f.h.accounts.listUsers().find((u) => u.email === 'bob@example.com');
    const userId = existing?.id ?? (await f.h.signUp('bob@example.com')).user.id;
    return f.h.callerFor(f.h.sessions.create(userId, { ip: null, userAgent: 'bob' }).token).caller;
  }
  function aliceState() {
    return JSON.stringify({
      user: f.h.accounts.getUser(f.alice.id),
      twoFactor: f.h.twoFactor.status(f.alice.id),
      sessions: f.h.sessions.list(f.alice.id, null).map((s) => s.id),
      wallet: f.h.accounts.walletConnection(f.alice.id),
      approvals: f.h.deps.approvals.list(f.alice.id),
      alerts: f.h.deps.alerts.list(f.alice.id),
      budget: f.h.deps.governance.settingsFor(f.alice.id),
      movements: f.h.deps.wallet.exportCsv(f.alice.id),
      walletSource: f.h.deps.wallet.sourceOf(f.alice.id),
      agentKeys: f.h.deps.agentKeys.list(f.alice.id),
      disputes: f.h.deps.disputes.list(f.alice.id),
      checklist: f.h.deps.home.checklist(f.alice.id),
      blocked: f.h.deps.standing.blocked(f.alice.id),
    });
  }

  it('lists every procedure of the router, and nothing else', () => {
    expect(procedurePaths.length).toBeGreaterThan(10);
    expect(Object.keys(MATRIX).sort()).toEqual([...procedurePaths].sort());
  });

  it('refuses every non-public procedure to a signed-out caller, and to a forged session token', async () => {
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.access === 'public') continue;
      const input = row.input?.(f);
      expect([path, await errorCode(call(f.h.callerFor(null).caller, path, input))]).toEqual([path, 'UNAUTHORIZED']);
      const forged = f.h.callerFor('A'.repeat(43)).caller;
      expect([path, await errorCode(call(forged, path, input))]).toEqual([path, 'UNAUTHORIZED']);
    }
  });

  it('refuses operator procedures to users and allows them to operators', async () => {
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.access !== 'operator') continue;
      expect([path, await errorCode(call(await bob(), path, row.input?.(f)))]).toEqual([path, 'FORBIDDEN']);
      expect([path, await errorCode(call(f.h.callerFor(operatorToken).caller, path, row.input?.(f)))]).toEqual([path, null]);
    }
  });

  it("never returns alice's data to bob or to a signed-out caller, and nothing they do changes it", async () => {
    const before = aliceState();
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.access === 'operator') continue;
      const callers = row.access === 'public' ? [f.h.callerFor(null).caller, await bob()] : [await bob()];
      for (const caller of callers) {
        let result: unknown;
        try {
          result = await call(caller, path, row.input?.(f));
        } catch (error) {
          // Refusals are fine (e.g. a wrong code); what matters is that nothing leaks or changes.
          if (!(error instanceof TRPCError)) throw error;
          result = { code: error.code, message: error.message };
        }
        const text = JSON.stringify(result) ?? '';
        for (const secret of aliceSecrets) expect([path, text.includes(secret)]).toEqual([path, false]);
      }
    }
    expect(aliceState()).toBe(before);
  });

  it("gives bob NOT_FOUND or FORBIDDEN on alice's objects and leaves them unchanged", async () => {
    const rows = Object.entries(MATRIX).filter(([, row]) => row.foreignObject);
    expect(rows.length).toBeGreaterThan(0);
    for (const [path, row] of rows) {
      const target = row.foreignObject?.(f);
      if (!target) continue;
      expect([path, await errorCode(call(await bob(), path, target.input))]).toEqual([path, expect.stringMatching(/^(NOT_FOUND|FORBIDDEN)$/)]);
      target.unchanged();
    }
  });

  it('lets each user reach their own procedures (no false refusals)', async () => {
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.access !== 'authed') continue;
      const outcome = await errorCode(call(await bob(), path, row.input?.(f)));
      expect([path, outcome === 'UNAUTHORIZED' || outcome === 'FORBIDDEN']).toEqual([path, false]);
    }
    // Sanity check that alice's real password still works: nothing above changed it.
    const signedIn = await f.h.accounts.signIn({ email: f.alice.email, password: TEST_PASSWORD }, { ip: null, userAgent: null });
    expect(signedIn).toMatchObject({ ok: false, reason: 'second_factor_required' });
  });

  // Runs last: some calls below (signing out everywhere) end alice's other sessions.
  it("never loosens alice's guard from a session of hers without a fresh code, whatever is called", async () => {
    const loosening = Object.entries(MATRIX).filter(([, row]) => row.loosens);
    expect(loosening.map(([path]) => path).sort()).toEqual(['account.updatePreferences', 'budget.saveSettings', 'catalog.setPreference', 'reputation.unblock']);
    const stolen = () => f.h.callerFor(f.h.sessions.create(f.alice.id, { ip: '203.0.113.9', userAgent: 'thief' }).token).caller;
    // The guard: her budget settings, the time zone her budget month is counted in, the providers she blocked.
    const guard = () => ({
      settings: f.h.deps.governance.settingsFor(f.alice.id),
      timeZone: f.h.accounts.getUser(f.alice.id)?.timeZone ?? '',
      blocked: f.h.deps.standing.blocked(f.alice.id).map((b) => b.providerId),
    });
    for (const [path, row] of loosening) {
      const before = guard();
      expect([path, await errorCode(call(stolen(), path, row.loosens?.(f)))]).toEqual([path, 'FORBIDDEN']);
      expect([path, guard()]).toEqual([path, before]);
    }
    // Every procedure, with its sample input: none may leave alice's guard looser than it found it.
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.access !== 'authed') continue;
      const before = guard();
      await call(stolen(), path, row.input?.(f)).catch((error: unknown) => {
        if (!(error instanceof TRPCError)) throw error;
      });
      const after = guard();
      const unblocked = before.blocked.filter((p) => !after.blocked.includes(p)).map((p) => `unblocked ${p}`);
      const loosened = [...looseningsOf(before.settings, after.settings), ...timeZoneLoosenings(before.timeZone, after.timeZone), ...unblocked];
      expect([path, loosened]).toEqual([path, []]);
    }
  });
});
