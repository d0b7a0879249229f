import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createAccountsModule } from './index';
import { createAccountsRepository } from '../../db/repositories/accounts-repository';
import { createPasswordReset, parseResetToken, RESET_LINK_TTL_MS } from './password-reset';
import { createTestAccounts, TEST_META, totpCode } from './test-support';
import { createKeyedHasher } from './tokens';

type Harness = ReturnType<typeof createTestAccounts>;
const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.database.close();
});

const PASSWORD = 'plum-orchard-lantern-42';
const NEW_PASSWORD = 'cobalt-meadow-finch-1987';

async function withAccount(email = 'ada@example.com') {
  const h = createTestAccounts();
  harnesses.push(h);
  const signedUp = await h.accounts.signUp({ email, password: PASSWORD, timeZone: 'Europe/Berlin', displayCurrency: 'USD' }, TEST_META);
  if (!signedUp.ok) throw new Error(signedUp.reason);
  return { h, userId: signedUp.user.id, sessionToken: signedUp.sessionToken };
}

function linkFor(h: Harness, email = 'ada@example.com') {
  const link = h.passwordReset.issueLink(email);
  if (!link.ok) throw new Error(link.reason);
  return link;
}

const signsIn = async (h: Harness, password: string, email = 'ada@example.com') => (await h.accounts.signIn({ email, password }, TEST_META)).ok;
const kinds = (h: Harness, userId: string) => h.audit.list(userId, { limit: 50 }).map((e) => e.kind);

describe('password reset links', () => {
  it('set a new password once, end every session, and are in the security log', async () => {
    const { h, userId, sessionToken } = await withAccount();
    const link = linkFor(h);
    expect(h.passwordReset.inspect(link.token)).toMatchObject({ ok: true, email: 'ada@example.com', twoFactorEnabled: false });

    expect(await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD }, TEST_META)).toEqual({ ok: true, sessionsEnded: 1 });
    expect(h.sessions.resolve(sessionToken)).toBeNull();
    expect(await signsIn(h, PASSWORD)).toBe(false);
    expect(await signsIn(h, NEW_PASSWORD)).toBe(true);
    // Used once: the new password's hash no longer matches the link's.
    expect(await h.passwordReset.reset({ token: link.token, newPassword: 'another-garden-stone-55' }, TEST_META)).toEqual({ ok: false, reason: 'reset_link_invalid' });
    expect(h.passwordReset.inspect(link.token)).toEqual({ ok: false, reason: 'reset_link_invalid' });
    expect(kinds(h, userId)).toEqual(expect.arrayContaining(['password_reset_link_issued', 'password_reset']));
  });

  it('expire after an hour, and stop working when the password is changed another way', async () => {
    const { h, userId, sessionToken } = await withAccount();
    const expiring = linkFor(h);
    h.clock.advance(RESET_LINK_TTL_MS);
    expect(await h.passwordReset.reset({ token: expiring.token, newPassword: NEW_PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'reset_link_invalid' });

    const superseded = linkFor(h);
    const session = h.sessions.resolve(sessionToken);
    if (!session) throw new Error('no session');
    expect(await h.accounts.changePassword(userId, session.sessionId, { currentPassword: PASSWORD, newPassword: 'violet-harbour-quince-9' }, TEST_META)).toMatchObject({ ok: true });
    expect(await h.passwordReset.reset({ token: superseded.token, newPassword: NEW_PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'reset_link_invalid' });
    expect(await signsIn(h, 'violet-harbour-quince-9')).toBe(true);
  });

  it('used twice at once (both checked before either writes), set one password: the other use is refused', async () => {
    const { h, userId, sessionToken } = await withAccount();
    const link = linkFor(h);
    // Another instance on the same database whose reads of the account all ran before this one's write
    // committed: it has checked the link against the old password hash, as this one has.
    const repo = createAccountsRepository(h.database.db);
    const before = repo.findUserById(userId);
    const otherInstance = createPasswordReset({
      repo: { ...repo, findUserById: (id: string) => (id === userId ? before : repo.findUserById(id)) },
      sessions: h.sessions,
      twoFactor: h.twoFactor,
      audit: h.audit,
      mac: createKeyedHasher(h.secretsKey, 'password-reset'),
      now: h.clock.now,
    });

    const passwords = [NEW_PASSWORD, 'another-garden-stone-55'] as const;
    const results = await Promise.all([
      h.passwordReset.reset({ token: link.token, newPassword: passwords[0] }, TEST_META),
      otherInstance.reset({ token: link.token, newPassword: passwords[1] }, TEST_META),
    ]);
    // Which hash finishes first is up to the thread pool; exactly one use wins, whichever it is.
    const winner = results.findIndex((result) => result.ok);
    expect(results[winner]).toEqual({ ok: true, sessionsEnded: 1 });
    expect(results[1 - winner]).toEqual({ ok: false, reason: 'reset_link_invalid' });
    expect(h.sessions.resolve(sessionToken)).toBeNull();
    expect(await signsIn(h, passwords[winner] ?? '')).toBe(true);
    expect(await signsIn(h, passwords[1 - winner] ?? '')).toBe(false);
    expect(kinds(h, userId).filter((kind) => kind === 'password_reset')).toHaveLength(1);
  });

  it('cannot be forged or moved: another account, another expiry, another secrets key, or garbage are refused', async () => {
    const { h } = await withAccount();
    const bob = await h.accounts.signUp({ email: 'bob@example.com', password: PASSWORD, timeZone: 'UTC', displayCurrency: 'USD' }, TEST_META);
    if (!bob.ok) throw new Error(bob.reason);
    const link = linkFor(h);
    const parsed = parseResetToken(link.token);
    if (!parsed) throw new Error('unparsable token');
    const forged = [
      `${bob.user.id}.${parsed.expiresAtMs}.${parsed.mac}`,
      `${parsed.userId}.${parsed.expiresAtMs + RESET_LINK_TTL_MS}.${parsed.mac}`,
      `${parsed.userId}.${parsed.expiresAtMs}.${'0'.repeat(64)}`,
      link.token.slice(0, -1),
      'not-a-token',
      '',
    ];
    for (const token of forged) {
      expect([token, await h.passwordReset.reset({ token, newPassword: NEW_PASSWORD }, TEST_META)]).toEqual([token, { ok: false, reason: 'reset_link_invalid' }]);
    }
    // Made with another secrets key (another deployment, or a copy of the database alone): refused.
    const elsewhere = createAccountsModule({ db: h.database.db, secretsKey: randomBytes(32), walletProvisioner: null, logger: h.logger, now: h.clock.now });
    const foreign = elsewhere.passwordReset.issueLink('ada@example.com');
    if (!foreign.ok) throw new Error(foreign.reason);
    expect(await h.passwordReset.reset({ token: foreign.token, newPassword: NEW_PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'reset_link_invalid' });
    expect(await signsIn(h, PASSWORD)).toBe(true);
    expect(await signsIn(h, PASSWORD, 'bob@example.com')).toBe(true);
    expect(h.passwordReset.issueLink('nobody@example.com')).toEqual({ ok: false, reason: 'unknown_email' });
  });

  it('with 2FA on, still need the authenticator or a recovery code, counted towards the lockout', async () => {
    const { h, userId } = await withAccount();
    const begun = await h.twoFactor.beginEnrollment(userId, 'ada@example.com', TEST_META);
    if (!begun.ok) throw new Error(begun.reason);
    const confirmed = h.twoFactor.confirmEnrollment(userId, totpCode(begun.secret, h.clock), TEST_META);
    if (!confirmed.ok) throw new Error(confirmed.reason);
    h.clock.nextTotpStep();
    const link = linkFor(h);
    expect(h.passwordReset.inspect(link.token)).toMatchObject({ ok: true, twoFactorEnabled: true });

    expect(await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD }, TEST_META)).toEqual({ ok: false, reason: 'second_factor_required' });
    expect(await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD, code: '000000' }, TEST_META)).toEqual({ ok: false, reason: 'invalid_credentials' });
    let last = await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD, code: '000001' }, TEST_META);
    for (let i = 0; i < 10 && last.ok === false && last.reason !== 'locked'; i += 1) {
      last = await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD, code: `00000${(i + 2) % 10}` }, TEST_META);
    }
    expect(last).toMatchObject({ ok: false, reason: 'locked' });
    expect(h.twoFactor.lockedUntil(userId)).not.toBeNull();
  });

  it('with 2FA on, a recovery code stands in for the phone', async () => {
    const { h, userId } = await withAccount();
    const begun = await h.twoFactor.beginEnrollment(userId, 'ada@example.com', TEST_META);
    if (!begun.ok) throw new Error(begun.reason);
    const confirmed = h.twoFactor.confirmEnrollment(userId, totpCode(begun.secret, h.clock), TEST_META);
    if (!confirmed.ok) throw new Error(confirmed.reason);
    const link = linkFor(h);
    const recoveryCode = (confirmed.recoveryCodes[0] ?? '').replace('-', '');
    expect(await h.passwordReset.reset({ token: link.token, newPassword: NEW_PASSWORD, recoveryCode }, TEST_META)).toMatchObject({ ok: true });
    h.clock.nextTotpStep();
    expect((await h.accounts.signIn({ email: 'ada@example.com', password: NEW_PASSWORD, code: totpCode(begun.secret, h.clock) }, TEST_META)).ok).toBe(true);
  });
});
