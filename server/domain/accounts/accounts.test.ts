import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions';
import { STEP_UP_GRANT_TTL_MS } from './step-up';
import { createLeases } from '../background';
import { createTestAccounts, fakeWalletProvisioner, TEST_META, totpCode } from './test-support';
import { LOCKOUT_STEPS_MS } from './two-factor';

type Harness = ReturnType<typeof createTestAccounts>;
const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.database.close();
});
function setup(options?: Parameters<typeof createTestAccounts>[0]) {
  const h = createTestAccounts(options);
  harnesses.push(h);
  return h;
}

const PASSWORD = 'plum-orchard-lantern-42';
async function signUp(h: Harness, email = 'ada@example.com') {
  const result = await h.accounts.signUp({ email, password: PASSWORD, timeZone: 'Europe/Berlin', displayCurrency: 'USD' }, TEST_META);
  if (!result.ok) throw new Error(result.reason);
  return result;
}
async function enroll(h: Harness, userId: string) {
  const begun = await h.twoFactor.beginEnrollment(userId, 'ada@example.com', TEST_META);
  if (!begun.ok) throw new Error(begun.reason);
  const confirmed = h.twoFactor.confirmEnrollment(userId, totpCode(begun.secret, h.clock), TEST_META);
  if (!confirmed.ok) throw new Error(confirmed.reason);
  h.clock.nextTotpStep();
  return { secret: begun.secret, recoveryCodes: confirmed.recoveryCodes, begun };
}
const kinds = (h: Harness, userId: string) => h.audit.list(userId, { limit: 200 }).map((e) => e.kind);

describe('password hashing', () => {
  it('verifies the right password only, with a salted scrypt hash', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD + 'x', a)).toBe(false);
  });
});

describe('sign-up, sign-in, sessions', () => {
  it('signs up a user (never an operator), provisions an encrypted wallet and opens a session', async () => {
    const h = setup();
    const { user, sessionToken } = await signUp(h);
    expect(user).toMatchObject({ email: 'ada@example.com', role: 'user', timeZone: 'Europe/Berlin', twoFactorEnabled: false });
    expect(h.sessions.resolve(sessionToken)?.userId).toBe(user.id);
    const issued = (h.provisioner as unknown as { issued: string[] }).issued;
    expect(h.accounts.walletConnection(user.id)).toBe(issued[0]);
    const stored = h.database.sqlite.prepare('select nwc_url_ciphertext as c from user_wallets').get() as { c: string };
    expect(stored.c).not.toContain('secret=');
    expect(kinds(h, user.id)).toEqual(expect.arrayContaining(['signed_up', 'wallet_provisioned', 'signed_in']));
  });

  it('refuses a second account with the same email, in any case', async () => {
    const h = setup();
    await signUp(h);
    const again = await h.accounts.signUp({ email: 'ada@example.com', password: PASSWORD, timeZone: 'UTC', displayCurrency: 'SAT' }, TEST_META);
    expect(again).toEqual({ ok: false, reason: 'email_taken' });
  });

  it('still creates the account when the wallet cannot be provisioned, and records why', async () => {
    const h = setup({
      provisioner: {
        provisionUserWallet: async () => {
          throw new Error('sandbox not started');
        },
      },
    });
    const { user } = await signUp(h);
    expect(h.accounts.hasWallet(user.id)).toBe(false);
    expect(kinds(h, user.id)).toContain('wallet_provisioning_failed');
  });

  it('provisions again in the background a wallet that failed at sign-up, once', async () => {
    let calls = 0;
    const fake = fakeWalletProvisioner();
    const h = setup({
      provisioner: {
        provisionUserWallet: async (userId) => {
          calls += 1;
          if (calls === 1) throw new Error('relay did not answer in time');
          return fake.provisionUserWallet(userId);
        },
      },
    });
    const { user } = await signUp(h);
    expect(h.accounts.hasWallet(user.id)).toBe(false);
    expect(await h.walletRetry.retryOnce()).toEqual({ provisioned: [user.id], stopped: null });
    expect(h.accounts.walletConnection(user.id)).toBe(fake.issued[0]);
    expect(kinds(h, user.id)).toContain('wallet_provisioned');
    expect(await h.walletRetry.retryOnce()).toEqual({ provisioned: [], stopped: null });
    expect(calls).toBe(2);
  });

  it('stops a retry pass at the first failure, and leaves a person another instance is provisioning alone', async () => {
    let calls = 0;
    const h = setup({
      provisioner: {
        provisionUserWallet: async () => {
          calls += 1;
          throw new Error('node down');
        },
      },
    });
    const first = await signUp(h, 'ada@example.com');
    await signUp(h, 'bob@example.com');
    calls = 0;
    expect(await h.walletRetry.retryOnce()).toEqual({ provisioned: [], stopped: 'provisioning_failed' });
    expect(calls).toBe(1); // the node is down: the second person is not tried in the same pass

    const otherInstance = createLeases({ db: h.database.db, now: () => h.clock.now().getTime() });
    await otherInstance.withLease('provision_wallet', first.user.id, async () => {
      calls = 0;
      await h.walletRetry.retryOnce();
      expect(calls).toBe(1); // only bob: ada is leased elsewhere
    });
  });

  it('says by name when this deployment hosts no wallets, so the person connects their own', async () => {
    const h = setup({ provisioner: { provisionUserWallet: async () => ({ ok: false, reason: 'own_wallet_required' }) } });
    const { user } = await signUp(h);
    expect(h.accounts.hasWallet(user.id)).toBe(false);
    expect(await h.accounts.provisionWallet(user.id)).toEqual({ ok: false, reason: 'own_wallet_required' });
    expect(kinds(h, user.id)).not.toContain('wallet_provisioning_failed');
  });

  it('refuses a wrong password or unknown email with the same answer and audits the failure', async () => {
    const h = setup();
    const { user } = await signUp(h);
    expect(await h.accounts.signIn({ email: 'ada@example.com', password: 'wrong-password-123' }, TEST_META)).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    expect(await h.accounts.signIn({ email: 'nobody@example.com', password: PASSWORD }, TEST_META)).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    expect(kinds(h, user.id)).toContain('sign_in_failed');
  });

  it('rotates: each sign-in gets a new token, and signing out ends only that session', async () => {
    const h = setup();
    const first = await signUp(h);
    const second = await h.accounts.signIn({ email: 'ada@example.com', password: PASSWORD }, TEST_META);
    if (!second.ok) throw new Error(second.reason);
    expect(second.sessionToken).not.toBe(first.sessionToken);
    const firstSession = h.sessions.resolve(first.sessionToken);
    if (!firstSession) throw new Error('first session missing');
    h.accounts.signOut(first.user.id, firstSession.sessionId, TEST_META);
    expect(h.sessions.resolve(first.sessionToken)).toBeNull();
    expect(h.sessions.resolve(second.sessionToken)).not.toBeNull();
  });

  it('signs out everywhere', async () => {
    const h = setup();
    const first = await signUp(h);
    const second = await h.accounts.signIn({ email: 'ada@example.com', password: PASSWORD }, TEST_META);
    if (!second.ok) throw new Error(second.reason);
    expect(h.accounts.signOutEverywhere(first.user.id, TEST_META)).toEqual({ sessionsEnded: 2 });
    expect(h.sessions.resolve(first.sessionToken)).toBeNull();
    expect(h.sessions.resolve(second.sessionToken)).toBeNull();
  });

  it('expires sessions after 30 idle days, extends them on use, and ends them after 90 days in all', async () => {
    const h = setup();
    const { sessionToken } = await signUp(h);
    const DAY_MS = 24 * 60 * 60 * 1000;
    // Used every 29 days, the session stays alive (idle limit pushed forward)...
    for (let i = 0; i < 3; i += 1) {
      h.clock.advance(29 * DAY_MS);
      expect(h.sessions.resolve(sessionToken)).not.toBeNull();
    }
    // ...until the absolute limit, however recently it was used.
    h.clock.advance(SESSION_ABSOLUTE_MS - 87 * DAY_MS);
    expect(h.sessions.resolve(sessionToken)).toBeNull();

    const idle = await h.accounts.signIn({ email: 'ada@example.com', password: PASSWORD }, TEST_META);
    if (!idle.ok) throw new Error(idle.reason);
    h.clock.advance(SESSION_IDLE_MS + 1);
    expect(h.sessions.resolve(idle.sessionToken)).toBeNull();
  });

  it('tells watchers when a session ends: sign-out, sign out everywhere, purge, or before the watch began', async () => {
    const h = setup();
    const first = await signUp(h);
    const idOf = (token: string) => h.sessions.resolve(token)?.sessionId ?? 'gone';
    const signInAgain = async () => {
      const signedIn = await h.accounts.signIn({ email: 'ada@example.com', password: PASSWORD }, TEST_META);
      if (!signedIn.ok) throw new Error(signedIn.reason);
      return idOf(signedIn.sessionToken);
    };
    const ended: string[] = [];
    const watch = (id: string) => h.sessions.watch(id, () => ended.push(id));

    const a = idOf(first.sessionToken);
    const b = await signInAgain();
    const c = await signInAgain();
    const stopC = watch(c);
    watch(a);
    watch(b);
    h.accounts.signOut(first.user.id, a, TEST_META);
    expect(ended).toEqual([a]);
    stopC();
    h.accounts.signOutEverywhere(first.user.id, TEST_META);
    expect(ended).toEqual([a, b]);

    const d = await signInAgain();
    watch(d);
    h.clock.advance(SESSION_IDLE_MS + 1);
    expect(h.sessions.purgeExpired()).toBe(1);
    expect(ended).toEqual([a, b, d]);
    watch(a);
    expect(ended).toEqual([a, b, d, a]);
  });

  it('stores only the SHA-256 of session tokens', async () => {
    const h = setup();
    const { sessionToken } = await signUp(h);
    const rows = h.database.sqlite.prepare('select token_hash from sessions').all() as { token_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.token_hash).not.toContain(sessionToken);
  });

  it('creates or upgrades the operator outside public sign-up', async () => {
    const h = setup();
    expect(await h.accounts.ensureOperator({ email: 'op@example.com', password: PASSWORD })).toBe('created');
    expect(await h.accounts.ensureOperator({ email: 'op@example.com', password: PASSWORD })).toBe('unchanged');
    const { user } = await signUp(h);
    expect(await h.accounts.ensureOperator({ email: user.email, password: PASSWORD })).toBe('upgraded');
    expect(h.accounts.getUser(user.id)?.role).toBe('operator');
  });

  it('never makes an account someone else signed up with the operator\'s email an operator', async () => {
    // Anyone may sign up with the address the operator will configure, before it is configured (or
    // before `operator:create` is run for it); the upgrade would hand that stranger, with their own
    // password, the operator's powers (refunds, every account's email).
    const h = setup();
    const { user } = await signUp(h);
    expect(await h.accounts.ensureOperator({ email: user.email, password: 'the-operators-own-password-9' })).toBe('password_mismatch');
    expect(h.accounts.getUser(user.id)?.role).toBe('user');
  });
});

describe('TOTP second factor', () => {
  it('enrolls with a QR code, needs a valid code to activate, then shows ten recovery codes', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const begun = await h.twoFactor.beginEnrollment(user.id, user.email, TEST_META);
    if (!begun.ok) throw new Error(begun.reason);
    expect(begun.otpauthUri).toMatch(/^otpauth:\/\/totp\/Steward:ada%40example\.com\?secret=[A-Z2-7]+/);
    expect(begun.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(h.twoFactor.status(user.id)).toEqual({ enabled: false, pendingEnrollment: true, recoveryCodesRemaining: 0 });
    expect(h.twoFactor.confirmEnrollment(user.id, '000000', TEST_META)).toMatchObject({ ok: false, reason: 'invalid_code' });

    const confirmed = h.twoFactor.confirmEnrollment(user.id, totpCode(begun.secret, h.clock), TEST_META);
    if (!confirmed.ok) throw new Error(confirmed.reason);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    expect(confirmed.recoveryCodes[0]).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(h.twoFactor.status(user.id)).toEqual({ enabled: true, pendingEnrollment: false, recoveryCodesRemaining: 10 });
    const stored = h.database.sqlite.prepare('select secret_ciphertext as s from totp_credentials').get() as { s: string };
    expect(stored.s).not.toContain(begun.secret);
    const hashes = h.database.sqlite.prepare('select code_hash from recovery_codes').all() as { code_hash: string }[];
    expect(hashes.map((r) => r.code_hash).join()).not.toContain(confirmed.recoveryCodes[0]?.replace('-', ''));
    expect(kinds(h, user.id)).toEqual(expect.arrayContaining(['two_factor_enrollment_started', 'two_factor_enabled']));
  });

  it('asks for the second factor at sign-in and accepts one step of clock drift, not two', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    const base = { email: user.email, password: PASSWORD };
    expect(await h.accounts.signIn(base, TEST_META)).toEqual({ ok: false, reason: 'second_factor_required' });

    const earlier = totpCode(secret, h.clock);
    h.clock.advance(30_000);
    expect((await h.accounts.signIn({ ...base, code: earlier }, TEST_META)).ok).toBe(true);

    h.clock.nextTotpStep();
    const stale = totpCode(secret, h.clock);
    h.clock.advance(60_000);
    expect(await h.accounts.signIn({ ...base, code: stale }, TEST_META)).toEqual({ ok: false, reason: 'invalid_credentials' });
  });

  it('never tells whether the password was right before the code is checked too', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    const right = { email: user.email, password: PASSWORD };
    const wrong = { email: user.email, password: 'not-the-password-at-all' };
    // Without a code, a right and a wrong password get the same answer.
    expect(await h.accounts.signIn(wrong, TEST_META)).toEqual({ ok: false, reason: 'second_factor_required' });
    expect(await h.accounts.signIn(right, TEST_META)).toEqual({ ok: false, reason: 'second_factor_required' });
    // With a code: a wrong password with the right code, and the right password with a wrong code, alike.
    const code = totpCode(secret, h.clock);
    expect(await h.accounts.signIn({ ...wrong, code }, TEST_META)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await h.accounts.signIn({ ...right, code: '000000' }, TEST_META)).toEqual({ ok: false, reason: 'invalid_credentials' });
    // The code offered with the wrong password was not spent.
    expect((await h.accounts.signIn({ ...right, code }, TEST_META)).ok).toBe(true);
    expect(kinds(h, user.id).filter((k) => k === 'sign_in_failed')).toHaveLength(1);

    // Wrong passwords count towards the lockout like wrong codes, so it cannot single out the right one.
    h.clock.nextTotpStep();
    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await h.accounts.signIn({ ...wrong, code: totpCode(secret, h.clock) }, TEST_META));
    expect(results.slice(0, 4).every((r) => !r.ok && r.reason === 'invalid_credentials')).toBe(true);
    expect(results[4]).toMatchObject({ ok: false, reason: 'locked' });
    expect(await h.accounts.signIn({ ...right, code: totpCode(secret, h.clock) }, TEST_META)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await h.accounts.signIn({ ...wrong, code: '000000' }, TEST_META)).toMatchObject({ ok: false, reason: 'locked' });
  });

  it('refuses a code that was already used (replay), even within its window', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    const code = totpCode(secret, h.clock);
    expect(h.twoFactor.verify(user.id, { code }, 'sign_in', TEST_META)).toEqual({ ok: true, method: 'totp' });
    expect(h.twoFactor.verify(user.id, { code }, 'sign_in', TEST_META)).toEqual({ ok: false, reason: 'code_already_used' });
    // An older step is refused too, even though drift would otherwise allow it.
    h.clock.nextTotpStep();
    expect(h.twoFactor.verify(user.id, { code }, 'sign_in', TEST_META)).toMatchObject({ ok: false });
  });

  it('locks after 5 wrong codes for a growing period, refuses the right code while locked, records every try', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    const wrong = (n: number) => {
      const results = [];
      for (let i = 0; i < n; i += 1) results.push(h.twoFactor.verify(user.id, { code: '000000' }, 'sign_in', TEST_META));
      return results;
    };
    const first = wrong(5);
    expect(first.slice(0, 4).every((r) => !r.ok && r.reason === 'invalid_code')).toBe(true);
    expect(first[4]).toMatchObject({ ok: false, reason: 'locked' });
    const retryAt = (first[4] as { retryAt: string }).retryAt;
    expect(Date.parse(retryAt) - h.clock.now().getTime()).toBe(LOCKOUT_STEPS_MS[0]);
    expect(h.twoFactor.verify(user.id, { code: totpCode(secret, h.clock) }, 'sign_in', TEST_META)).toMatchObject({ reason: 'locked' });

    h.clock.advance(LOCKOUT_STEPS_MS[0] ?? 0);
    const second = wrong(5);
    expect(Date.parse((second[4] as { retryAt: string }).retryAt) - h.clock.now().getTime()).toBe(LOCKOUT_STEPS_MS[1]);

    h.clock.advance(LOCKOUT_STEPS_MS[1] ?? 0);
    h.clock.nextTotpStep();
    expect(h.twoFactor.verify(user.id, { code: totpCode(secret, h.clock) }, 'sign_in', TEST_META).ok).toBe(true);
    // A success resets the ladder: the next lockout is the short one again.
    const third = wrong(5);
    expect(Date.parse((third[4] as { retryAt: string }).retryAt) - h.clock.now().getTime()).toBe(LOCKOUT_STEPS_MS[0]);

    const events = kinds(h, user.id);
    expect(events.filter((k) => k === 'second_factor_failed')).toHaveLength(16);
    expect(events.filter((k) => k === 'second_factor_locked')).toHaveLength(3);
  });

  it('accepts each recovery code once, at sign-in only', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { recoveryCodes } = await enroll(h, user.id);
    const code = recoveryCodes[3] ?? '';
    const canonical = code.replace('-', '');
    const signIn = () => h.accounts.signIn({ email: user.email, password: PASSWORD, recoveryCode: canonical }, TEST_META);
    expect((await signIn()).ok).toBe(true);
    expect(await signIn()).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(h.twoFactor.status(user.id).recoveryCodesRemaining).toBe(9);
    expect(h.twoFactor.verify(user.id, { recoveryCode: (recoveryCodes[4] ?? '').replace('-', '') }, 'step_up', TEST_META)).toMatchObject({
      ok: false,
    });
    expect(kinds(h, user.id)).toContain('recovery_code_used');
  });

  it('needs a valid code to disable 2FA', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    expect(h.twoFactor.disable(user.id, '123456', TEST_META)).toMatchObject({ ok: false, reason: 'invalid_code' });
    expect(h.twoFactor.isEnabled(user.id)).toBe(true);
    expect(h.twoFactor.disable(user.id, totpCode(secret, h.clock), TEST_META)).toEqual({ ok: true });
    expect(h.twoFactor.status(user.id)).toEqual({ enabled: false, pendingEnrollment: false, recoveryCodesRemaining: 0 });
    expect(kinds(h, user.id)).toContain('two_factor_disabled');
  });

  it('regenerates recovery codes with a code; the old ones stop working', async () => {
    const h = setup();
    const { user } = await signUp(h);
    const { secret, recoveryCodes } = await enroll(h, user.id);
    const again = h.twoFactor.regenerateRecoveryCodes(user.id, totpCode(secret, h.clock), TEST_META);
    if (!again.ok) throw new Error(again.reason);
    expect(again.recoveryCodes).toHaveLength(10);
    h.clock.nextTotpStep();
    const old = (recoveryCodes[0] ?? '').replace('-', '');
    expect(h.twoFactor.verify(user.id, { recoveryCode: old }, 'sign_in', TEST_META)).toMatchObject({ ok: false });
  });
});

describe('step-up', () => {
  async function enrolledUser() {
    const h = setup();
    const { user } = await signUp(h);
    const { secret } = await enroll(h, user.id);
    return { h, user, secret };
  }
  const action = { kind: 'approve_spend', id: 'quote-1' };

  it('turns a fresh code into a grant for exactly one action, usable once', async () => {
    const { h, user, secret } = await enrolledUser();
    const granted = h.stepUp.verify({ userId: user.id, code: totpCode(secret, h.clock), action }, TEST_META);
    if (!granted.ok) throw new Error(granted.reason);
    const grantId = granted.grant.grantId;
    expect(h.stepUp.consume({ userId: user.id, grantId, action: { kind: 'approve_spend', id: 'quote-2' } })).toEqual({
      ok: false,
      reason: 'action_mismatch',
    });
    expect(h.stepUp.consume({ userId: user.id, grantId, action: { kind: 'authorize_overage', id: 'quote-1' } })).toMatchObject({
      reason: 'action_mismatch',
    });
    expect(h.stepUp.consume({ userId: 'someone-else', grantId, action })).toEqual({ ok: false, reason: 'grant_not_found' });
    expect(h.stepUp.consume({ userId: user.id, grantId, action })).toEqual({ ok: true });
    expect(h.stepUp.consume({ userId: user.id, grantId, action })).toEqual({ ok: false, reason: 'grant_already_used' });
    expect(kinds(h, user.id)).toEqual(expect.arrayContaining(['step_up_granted', 'step_up_used']));
  });

  it('refuses a code already used (e.g. for sign-in), a wrong code, and an expired grant', async () => {
    const { h, user, secret } = await enrolledUser();
    const code = totpCode(secret, h.clock);
    expect(h.twoFactor.verify(user.id, { code }, 'sign_in', TEST_META).ok).toBe(true);
    expect(h.stepUp.verify({ userId: user.id, code, action })).toMatchObject({ ok: false, reason: 'code_already_used' });
    expect(h.stepUp.authorize({ userId: user.id, code: '111111', action })).toMatchObject({ ok: false, reason: 'invalid_code' });

    h.clock.nextTotpStep();
    const granted = h.stepUp.verify({ userId: user.id, code: totpCode(secret, h.clock), action });
    if (!granted.ok) throw new Error(granted.reason);
    h.clock.advance(STEP_UP_GRANT_TTL_MS);
    expect(h.stepUp.consume({ userId: user.id, grantId: granted.grant.grantId, action })).toEqual({ ok: false, reason: 'grant_expired' });
  });

  it('authorize verifies and consumes in one call; without 2FA there is no step-up', async () => {
    const { h, user, secret } = await enrolledUser();
    expect(h.stepUp.authorize({ userId: user.id, code: totpCode(secret, h.clock), action })).toEqual({ ok: true });
    const other = await signUp(h, 'bob@example.com');
    expect(h.stepUp.authorize({ userId: other.user.id, code: '123456', action })).toEqual({ ok: false, reason: 'not_enabled' });
  });
});
