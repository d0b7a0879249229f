import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../../shared/governance';
import { usdCents } from '../../../shared/money';
import { createTestAccounts, TEST_META, totpCode } from '../accounts/test-support';
import { LOCKOUT_THRESHOLD } from '../accounts/two-factor';
import { TEST_RATE } from '../quotes/test-support';
import { createGovernance } from './governance';
import { createSettingsChanges, type SettingsChangeDeps } from './settings-change';

// The settings-change service on the real accounts and governance modules; the router tests
// (server/api/routers/budget.test.ts) cover the same rules through the API.

const PASSWORD = 'plum-orchard-lantern-42';
const raisedAuto = (cents: number): GovernanceSettings => ({ ...DEFAULT_GOVERNANCE_SETTINGS, tiers: { ...DEFAULT_GOVERNANCE_SETTINGS.tiers, autoMaxUsdCents: usdCents(cents) } });

let t: ReturnType<typeof createTestAccounts>;
let governance: ReturnType<typeof createGovernance>;
/** `<userId>|<providerId>` pairs blocked; unblocking records the proof it was given. */
const blocked = new Set<string>();
const unblockedWith: string[] = [];
const blocklist: SettingsChangeDeps['standing'] = {
  isBlocked: (userId, providerId) => blocked.has(`${userId}|${providerId}`),
  unblockProven: (userId, providerId, proof) => {
    if (!blocked.delete(`${userId}|${providerId}`)) return { ok: false, reason: 'provider_not_blocked' };
    unblockedWith.push(proof);
    return { ok: true };
  },
};
beforeEach(() => {
  blocked.clear();
  unblockedWith.length = 0;
  t = createTestAccounts();
  governance = createGovernance(t.database, { now: () => t.clock.now().getTime() });
});
afterEach(() => t.database.close());

function changes(overrides: Partial<SettingsChangeDeps> = {}) {
  return createSettingsChanges({
    governance,
    accounts: t.accounts,
    twoFactor: t.twoFactor,
    stepUp: t.stepUp,
    audit: t.audit,
    rates: { current: async () => TEST_RATE },
    standing: blocklist,
    transaction: (fn) => t.database.db.transaction(fn, { behavior: 'immediate' }),
    ...overrides,
  });
}

async function newUser() {
  const signedUp = await t.accounts.signUp({ email: 'ada@example.com', password: PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' }, TEST_META);
  if (!signedUp.ok) throw new Error(signedUp.reason);
  return signedUp.user.id;
}

async function withTwoFactor(userId: string) {
  const begun = await t.twoFactor.beginEnrollment(userId, 'ada@example.com', TEST_META);
  if (!begun.ok) throw new Error(begun.reason);
  t.twoFactor.confirmEnrollment(userId, totpCode(begun.secret, t.clock), TEST_META);
  return () => {
    t.clock.nextTotpStep();
    return totpCode(begun.secret, t.clock);
  };
}

describe('settings changes', () => {
  it('refuses a proven change when the settings changed between the proof and the save', async () => {
    const userId = await newUser();
    // Someone else saves while the password is being checked (scrypt takes a while).
    const racing = changes({
      accounts: {
        ...t.accounts,
        checkPassword: async (...args) => {
          governance.saveSettings(userId, { ...DEFAULT_GOVERNANCE_SETTINGS, taskCap: { unit: 'usd', usdCents: usdCents(100) } });
          return t.accounts.checkPassword(...args);
        },
      },
    });
    expect(await racing.change({ userId, settings: raisedAuto(200), password: PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'settings_changed_meanwhile' });
    expect(governance.settingsFor(userId).tiers.autoMaxUsdCents).toBe(10);
  });

  it('turns the code into a step-up grant for this exact change, used once', async () => {
    const userId = await newUser();
    const code = await withTwoFactor(userId);
    expect(await changes().change({ userId, settings: raisedAuto(200), code: code() }, TEST_META)).toMatchObject({ ok: true });
    const events = t.audit.list(userId);
    const granted = events.find((e) => e.kind === 'step_up_granted');
    expect(granted?.detail).toMatchObject({ actionKind: 'loosen_guard', actionId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(events.find((e) => e.kind === 'step_up_used')?.detail).toEqual(granted?.detail);
  });

  it('counts wrong codes towards the lockout even though nothing is saved', async () => {
    const userId = await newUser();
    const code = await withTwoFactor(userId);
    const reasons = [];
    for (let i = 0; i < LOCKOUT_THRESHOLD; i += 1) reasons.push((await changes().change({ userId, settings: raisedAuto(200), code: '000000' }, TEST_META)) as { reason?: string });
    expect(reasons.map((r) => r.reason)).toEqual([...Array<string>(LOCKOUT_THRESHOLD - 1).fill('invalid_code'), 'locked']);
    expect(await changes().change({ userId, settings: raisedAuto(200), code: code() }, TEST_META)).toMatchObject({ ok: false, reason: 'locked' });
    expect(governance.settingsFor(userId)).toEqual(DEFAULT_GOVERNANCE_SETTINGS);
  });
});

describe('time zone changes', () => {
  const east = { timeZone: 'Pacific/Kiritimati', displayCurrency: 'USD' as const };

  it('refuses a proven move when the zone changed between the proof and the save', async () => {
    const userId = await newUser();
    // Someone else moves the zone while the password is being checked.
    const racing = changes({
      accounts: {
        ...t.accounts,
        checkPassword: async (...args) => {
          t.accounts.updatePreferences(userId, { timeZone: 'Europe/Berlin', displayCurrency: 'USD' }, { loosened: 'time_zone_changed', proof: 'password' }, TEST_META);
          return t.accounts.checkPassword(...args);
        },
      },
    });
    expect(await racing.changePreferences({ userId, preferences: east, password: PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'settings_changed_meanwhile' });
    expect(t.accounts.getUser(userId)?.timeZone).toBe('Europe/Berlin');
  });

  it('binds the code to this move: the grant names the zone change and is used once', async () => {
    const userId = await newUser();
    const code = await withTwoFactor(userId);
    expect(await changes().changePreferences({ userId, preferences: east, code: code() }, TEST_META)).toMatchObject({ ok: true, loosenings: [{ kind: 'time_zone_changed' }] });
    const events = t.audit.list(userId);
    const granted = events.find((e) => e.kind === 'step_up_granted');
    expect(granted?.detail).toMatchObject({ actionKind: 'change_time_zone' });
    expect(events.find((e) => e.kind === 'step_up_used')?.detail).toEqual(granted?.detail);
  });
});

describe('unblocking a provider loosens the guard', () => {
  it('takes the password without 2FA, and refuses without it or with a wrong one, keeping the block', async () => {
    const userId = await newUser();
    blocked.add(`${userId}|daily-ledger`);
    const unblock = (proof: { password?: string; code?: string }) => changes().unblockProvider({ userId, providerId: 'daily-ledger', ...proof }, TEST_META);
    expect(await unblock({})).toEqual({ ok: false, reason: 'password_required' });
    expect(await unblock({ password: 'not-the-password-at-all' })).toEqual({ ok: false, reason: 'wrong_password' });
    expect(blocked.has(`${userId}|daily-ledger`)).toBe(true);
    expect(await unblock({ password: PASSWORD })).toEqual({ ok: true });
    expect(blocked.size).toBe(0);
    expect(unblockedWith).toEqual(['password']);
    expect(await unblock({ password: PASSWORD })).toEqual({ ok: false, reason: 'provider_not_blocked' });
  });

  it('takes a fresh authenticator code with 2FA, bound to this provider', async () => {
    const userId = await newUser();
    const nextCode = await withTwoFactor(userId);
    blocked.add(`${userId}|daily-ledger`);
    const unblock = (proof: { password?: string; code?: string }) => changes().unblockProvider({ userId, providerId: 'daily-ledger', ...proof }, TEST_META);
    expect(await unblock({ password: PASSWORD })).toEqual({ ok: false, reason: 'step_up_required' });
    expect(await unblock({ code: nextCode() })).toEqual({ ok: true });
    expect(unblockedWith).toEqual(['code']);
  });
});
