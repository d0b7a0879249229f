import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../../shared/governance';
import { btcUsdRateFromCentsPerBtc, usdCents } from '../../../shared/money';
import { totpCode } from '../../domain/accounts/test-support';
import { planStep } from '../../domain/quotes/test-support';
import { RateUnavailableError } from '../../domain/ports/exchange-rate';
import { RefusalDetail } from '../errors';
import { callerOver, createApiHarness, exhaustedRateLimit, TEST_PASSWORD } from '../test-harness';

// Loosening the budget guard needs a fresh proof (issue 10, finding 1), and a limit that cannot be
// converted is refused without being saved (finding 4). Everything here goes through the router.

let h: ReturnType<typeof createApiHarness>;
beforeEach(() => {
  h = createApiHarness();
});
afterEach(() => h.database.close());

const JOKE = {
  name: 'joke',
  provider: { id: 'satoshi-jokes', name: 'Satoshi Jokes' },
  resources: [{ path: '/v1/joke', method: 'GET', pricing: { model: 'fixed', price_msat: 5_000 }, input_schema: { type: 'object', properties: {} } }],
};
const TWENTY_DOLLARS = { unit: 'usd' as const, usdCents: 2_000 };
/** The attack of finding 1: auto-approve up to $1,000, no monthly limit, no notifications. */
const OPEN_GUARD = {
  ...DEFAULT_GOVERNANCE_SETTINGS,
  monthlyLimit: null,
  tiers: { autoMaxUsdCents: 100_000, confirmMaxUsdCents: 100_000, notifyOnAuto: false },
};

async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined; fields: string[] }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a refusal, got ${String(error)}`);
  const reason = error.cause instanceof RefusalDetail ? error.cause.reason : undefined;
  const fields = 'issues' in (error.cause ?? {}) ? (error.cause as unknown as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.')) : [];
  return { code: error.code, reason, fields };
}

describe('without a fresh BTC/USD price', () => {
  it('answers the named refusal rate_unavailable, not an internal error, wherever fiat figures are needed', async () => {
    h.database.close();
    const stale = new RateUnavailableError('stale', 900_000, 'the BTC/USD price is 900 s old, over the 300 s limit');
    h = createApiHarness({ rates: { current: () => Promise.reject(stale) } });
    const alice = await h.signUp('alice@example.com');
    for (const call of [alice.as().budget.status(), alice.as().catalog.list()]) {
      const error = await call.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('SERVICE_UNAVAILABLE');
      expect(((error as TRPCError).cause as RefusalDetail).reason).toBe('rate_unavailable');
    }
  });
});

/** Alice with 2FA on and a $20 monthly limit; `code()` is a fresh authenticator code each call. */
async function aliceWithTwoFactor() {
  const alice = await h.signUp('alice@example.com');
  const begun = await alice.as().security.beginTotpEnrollment();
  await alice.as().security.confirmTotpEnrollment({ code: totpCode(begun.secret, h.clock), password: TEST_PASSWORD });
  await alice.as().budget.saveSettings({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: TWENTY_DOLLARS } });
  return {
    ...alice,
    code: () => {
      h.clock.nextTotpStep();
      return totpCode(begun.secret, h.clock);
    },
  };
}

/** The settings changes in the person's audit log, as the Security page reads it. */
async function guardAudit(caller: ReturnType<Awaited<ReturnType<typeof h.signUp>>['as']>) {
  return (await caller.security.auditLog({})).filter((e) => e.kind === 'guard_settings_changed');
}
const storedRow = (userId: string) => h.database.sqlite.prepare('SELECT * FROM governance_settings WHERE user_id = ?').get(userId);

describe('loosening the guard with 2FA on', () => {
  it('refuses to open the guard without a code, and changes and writes nothing', async () => {
    const alice = await aliceWithTwoFactor();
    const before = await alice.as().budget.settings();
    const row = storedRow(alice.user.id);
    const audited = (await guardAudit(alice.as())).length;
    h.clock.advance(60_000);

    expect(await refusalOf(alice.as().budget.saveSettings({ settings: OPEN_GUARD }))).toMatchObject({ code: 'FORBIDDEN', reason: 'step_up_required' });
    expect(await refusalOf(alice.as().budget.saveSettings({ settings: OPEN_GUARD, code: '000000' }))).toMatchObject({ reason: 'invalid_code' });
    // A password is not a second factor: with 2FA on, only the code opens the guard.
    expect(await refusalOf(alice.as().budget.saveSettings({ settings: OPEN_GUARD, password: TEST_PASSWORD }))).toMatchObject({ reason: 'step_up_required' });

    expect(await alice.as().budget.settings()).toEqual(before);
    expect(storedRow(alice.user.id)).toEqual(row);
    expect((await guardAudit(alice.as()))).toHaveLength(audited);
  });

  it('opens it with a fresh code, and audits every changed value before and after', async () => {
    const alice = await aliceWithTwoFactor();
    const saved = await alice.as().budget.saveSettings({ settings: OPEN_GUARD, code: alice.code() });
    expect(saved).toMatchObject({ monthlyLimit: null, tiers: { autoMaxUsdCents: 100_000, notifyOnAuto: false } });
    expect((await guardAudit(alice.as()))[0]?.detail).toEqual({
      before: 'Monthly limit: $20.00; Auto-approve up to: $0.10; Ask me up to: $5.00; Tell me after automatic payments: yes',
      after: 'Monthly limit: no limit; Auto-approve up to: $1,000.00; Ask me up to: $1,000.00; Tell me after automatic payments: no',
      loosened: 'monthly_limit_removed, auto_limit_raised, confirm_limit_raised, auto_notifications_off',
      proof: 'code',
    });
  });

  it('tightens without any code, and audits it', async () => {
    const alice = await aliceWithTwoFactor();
    const tighter = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: 1_000 }, tiers: { autoMaxUsdCents: 0, confirmMaxUsdCents: 100, notifyOnAuto: true } };
    expect(await alice.as().budget.saveSettings({ settings: tighter })).toMatchObject({ monthlyLimit: { usdCents: 1_000 } });
    expect((await guardAudit(alice.as()))[0]?.detail).toMatchObject({ before: expect.stringContaining('Monthly limit: $20.00'), after: expect.stringContaining('Monthly limit: $10.00'), loosened: '', proof: 'none' });
  });

  it('does not let a second session of the same person (a stolen cookie) loosen without a code', async () => {
    const alice = await aliceWithTwoFactor();
    const stolen = h.callerFor(h.sessions.create(alice.user.id, { ip: '203.0.113.9', userAgent: 'thief' }).token).caller;
    const before = await alice.as().budget.settings();
    for (const settings of [OPEN_GUARD, { ...before, serviceRules: [{ serviceId: 'market/summary', rule: 'always_allow' as const, monthlyCap: null }] }]) {
      expect(await refusalOf(stolen.budget.saveSettings({ settings }))).toMatchObject({ reason: 'step_up_required' });
    }
    expect(await alice.as().budget.settings()).toEqual(before);
  });

  it('spends the code on the change it was given for: it cannot open another', async () => {
    const alice = await aliceWithTwoFactor();
    const code = alice.code();
    await alice.as().budget.saveSettings({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd', usdCents: 3_000 } }, code });
    expect(await refusalOf(alice.as().budget.saveSettings({ settings: OPEN_GUARD, code }))).toMatchObject({ reason: 'code_already_used' });
    expect((await alice.as().budget.settings()).monthlyLimit).toEqual({ unit: 'usd', usdCents: 3_000 });
  });
});

describe('per-service rules on the Services page', () => {
  it('blocks without a code, and unblocks or always allows only with one', async () => {
    h.database.close();
    h = createApiHarness({ providerManifest: { version: '0.1', services: [JOKE] } });
    await h.deps.catalog.refreshAll();
    const alice = await aliceWithTwoFactor();
    const serviceId = 'satoshi-jokes/joke';
    await alice.as().catalog.setPreference({ serviceId, preference: 'block' });
    for (const preference of [null, 'allow'] as const) {
      expect(await refusalOf(alice.as().catalog.setPreference({ serviceId, preference }))).toMatchObject({ code: 'FORBIDDEN', reason: 'step_up_required' });
    }
    expect((await alice.as().budget.settings()).serviceRules).toEqual([{ serviceId, rule: 'block', monthlyCap: null }]);
    await alice.as().catalog.setPreference({ serviceId, preference: 'allow', code: alice.code() });
    expect((await alice.as().budget.settings()).serviceRules).toEqual([{ serviceId, rule: 'always_allow', monthlyCap: null }]);
    expect((await guardAudit(alice.as()))[0]?.detail).toMatchObject({ before: `Rule for ${serviceId}: block, cap no limit`, after: `Rule for ${serviceId}: always allow, cap no limit` });
  });
});

describe('loosening the guard without 2FA', () => {
  it('needs the password, and refuses a tier in the code-guarded range whatever the proof', async () => {
    const bob = await h.signUp('bob@example.com');
    const raised = { ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { autoMaxUsdCents: 200, confirmMaxUsdCents: 500, notifyOnAuto: true } };
    expect(await refusalOf(bob.as().budget.saveSettings({ settings: raised }))).toMatchObject({ code: 'FORBIDDEN', reason: 'password_required' });
    expect(await refusalOf(bob.as().budget.saveSettings({ settings: raised, password: 'not-my-password' }))).toMatchObject({ reason: 'wrong_password' });
    expect((await bob.as().budget.settings()).tiers.autoMaxUsdCents).toBe(10);
    expect(h.audit.list(bob.user.id).map((e) => e.kind)).toContain('password_check_failed');

    expect(await bob.as().budget.saveSettings({ settings: raised, password: TEST_PASSWORD })).toMatchObject({ tiers: { autoMaxUsdCents: 200 } });
    expect((await guardAudit(bob.as()))[0]?.detail).toMatchObject({ proof: 'password', loosened: 'auto_limit_raised' });

    const stepUpTier = { ...raised, tiers: { ...raised.tiers, confirmMaxUsdCents: 501 } };
    expect(await refusalOf(bob.as().budget.saveSettings({ settings: stepUpTier, password: TEST_PASSWORD }))).toMatchObject({ code: 'FORBIDDEN', reason: 'tier_needs_two_factor' });
    expect((await bob.as().budget.settings()).tiers.confirmMaxUsdCents).toBe(500);
  });
});

describe('money limits are checked against the conversions they undergo', () => {
  async function accountStillWorks(userId: string, caller: Awaited<ReturnType<typeof h.signUp>>) {
    await expect(caller.as().budget.status()).resolves.toMatchObject({ summary: { usedMsat: 0 } });
    const quoted = await h.deps.quotes.quotePlan({ userId, taskId: 'task-1', steps: [planStep('s1', 'summary')] });
    if (!quoted.ok) throw new Error(quoted.message);
    expect(h.deps.approvals.request({ userId, quote: quoted.quote }).approval.status).toBeDefined();
  }

  it('refuses a $100-billion monthly limit as a field error, saves nothing, and the account keeps working', async () => {
    const carol = await h.signUp('carol@example.com');
    const huge = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: 10 ** 13 } };
    expect(await refusalOf(carol.as().budget.saveSettings({ settings: huge }))).toMatchObject({ code: 'BAD_REQUEST', fields: ['settings.monthlyLimit.usdCents'] });
    expect(storedRow(carol.user.id)).toBeUndefined();
    await accountStillWorks(carol.user.id, carol);
  });

  it('refuses a limit that would not convert at the current rate by name, and saves nothing', async () => {
    const carol = await h.signUp('carol@example.com');
    h.deps.rates.current = async () => btcUsdRateFromCentsPerBtc(usdCents(1)); // one cent a bitcoin
    const million = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: 100_000_000 } };
    expect(await refusalOf(carol.as().budget.saveSettings({ settings: million }))).toMatchObject({ code: 'BAD_REQUEST', reason: 'limit_not_convertible' });
    expect(storedRow(carol.user.id)).toBeUndefined();
  });

  it('reads a huge limit saved before the maxima as the largest allowed, so budget reads and quotes still work', async () => {
    const dave = await h.signUp('dave@example.com');
    await dave.as().budget.saveSettings({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: TWENTY_DOLLARS } });
    const broken: unknown = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd', usdCents: 10 ** 13 } };
    h.writeBehindTheApp('UPDATE governance_settings SET settings_json = ? WHERE user_id = ?', JSON.stringify(broken), dave.user.id);
    expect((await dave.as().budget.settings()).monthlyLimit).toEqual({ unit: 'usd', usdCents: 100_000_000 });
    await accountStillWorks(dave.user.id, dave);
  });

  it('reads unreadable settings as paused (every spend needs the person and their second factor), never as open', async () => {
    const erin = await h.signUp('erin@example.com');
    await erin.as().budget.saveSettings({ settings: { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: TWENTY_DOLLARS } });
    h.writeBehindTheApp('UPDATE governance_settings SET settings_json = ? WHERE user_id = ?', '{"tiers": "garbage"', erin.user.id);
    const settings: GovernanceSettings = await erin.as().budget.settings();
    expect(settings).toMatchObject({ monthlyLimit: { unit: 'sat', msat: 1_000 }, tiers: { autoMaxUsdCents: 0, confirmMaxUsdCents: 0 } });
    await accountStillWorks(erin.user.id, erin);
  });
});

describe('the guessing limit on proofs', () => {
  it('counts a loosening call that carries a code or a password, never a tightening one without a proof', async () => {
    const alice = await aliceWithTwoFactor();
    const exhausted = callerOver(h.deps, alice.token, exhaustedRateLimit).caller;
    const looser = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: null };
    expect(await refusalOf(exhausted.budget.saveSettings({ settings: looser, code: alice.code() }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(await refusalOf(exhausted.budget.saveSettings({ settings: looser, password: TEST_PASSWORD }))).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(await refusalOf(exhausted.catalog.setPreference({ serviceId: 'market/joke', preference: 'allow', code: alice.code() }))).toMatchObject({ reason: 'rate_limited' });
    expect(await refusalOf(exhausted.account.updatePreferences({ timeZone: 'Pacific/Kiritimati', displayCurrency: 'USD', code: alice.code() }))).toMatchObject({ reason: 'rate_limited' });
    // Nothing was loosened, and tightening still works for a person whose guesses ran out.
    expect(await alice.as().budget.settings()).toMatchObject({ monthlyLimit: TWENTY_DOLLARS });
    const tighter = { ...DEFAULT_GOVERNANCE_SETTINGS, monthlyLimit: { unit: 'usd' as const, usdCents: 1_000 } };
    expect(await exhausted.budget.saveSettings({ settings: tighter })).toMatchObject({ monthlyLimit: { usdCents: 1_000 } });
  });
});
