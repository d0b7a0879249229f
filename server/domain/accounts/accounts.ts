import { randomUUID } from 'node:crypto';
import { emailSchema, newPasswordSchema, type ChangePasswordInput, type DisplayCurrency, type SignInInput, type SignUpInput } from '../../../shared/accounts';
import type { AccountsRepository } from '../../db/repositories/accounts-repository';
import type { UserRow } from '../../db/schema/accounts';
import type { SecretBox } from '../../db/secret-box';
import type { Logger } from '../../logger';
import type { WalletProvisioner } from '../ports/wallet-provisioner';
import { describeChange, type AuditLog } from './audit-log';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';
import type { SessionService } from './sessions';
import type { TwoFactorService, VerifyRefusal } from './two-factor';
import type { Clock, PublicUser, Refused, RequestMeta, Result } from './types';

export type SignInRefusal = 'invalid_credentials' | 'second_factor_required' | 'locked';
export interface SignedIn {
  user: PublicUser;
  sessionToken: string;
  sessionExpiresAt: Date;
}

export type AccountService = ReturnType<typeof createAccountService>;
export interface Preferences {
  timeZone: string;
  displayCurrency: DisplayCurrency;
}

/**
 * A deleted account's email: not an address (no `@`), so sign-in and sign-up, which take only valid
 * addresses, can never match it, and unique per id.
 */
const DELETED_EMAIL_PREFIX = 'deleted:';
const deletedEmail = (userId: string) => `${DELETED_EMAIL_PREFIX}${userId}`;
export const isDeletedEmail = (email: string) => email.startsWith(DELETED_EMAIL_PREFIX);

/** Preferences as the audit log shows them. */
function describePreferences(preferences: Preferences): Record<string, string> {
  return { 'Time zone': preferences.timeZone, 'Display currency': preferences.displayCurrency === 'SAT' ? 'sats' : 'USD' };
}

/**
 * Sign-up, sign-in and the user record. Public sign-up only ever makes `user`s; operators come from
 * configuration or the CLI (`ensureOperator`). Each sign-in makes a new session token (rotation).
 */
export function createAccountService(deps: {
  repo: AccountsRepository;
  sessions: SessionService;
  twoFactor: TwoFactorService;
  audit: AuditLog;
  secretBox: SecretBox;
  walletProvisioner: WalletProvisioner | null;
  logger: Logger;
  now: Clock;
}) {
  const { repo, audit } = deps;
  const walletContext = (userId: string) => `wallet:${userId}`;

  /**
   * The second-factor half of a sign-in to an account with 2FA: null when both the password and the
   * code are right, otherwise the one refusal to give (see `signIn`).
   */
  function checkSecondFactor(
    userId: string,
    input: SignInInput,
    passwordOk: boolean,
    meta: RequestMeta,
  ): Refused<SignInRefusal, { retryAt?: string }> | null {
    const factor = input.code ? { code: input.code } : input.recoveryCode ? { recoveryCode: input.recoveryCode } : null;
    // Nothing is written here, for a right password or a wrong one, so both take the same time;
    // a wrong password is recorded once a code comes with it.
    if (!factor) return { ok: false, reason: 'second_factor_required' };
    const verified = passwordOk ? deps.twoFactor.verify(userId, factor, 'sign_in', meta) : deps.twoFactor.refuseSignInCode(userId, meta);
    if (verified.ok) return null;
    if (!passwordOk) audit.record(userId, 'sign_in_failed', { reason: 'wrong_password' }, meta);
    return verified.reason === 'locked' ? { ok: false, reason: 'locked', retryAt: verified.retryAt } : { ok: false, reason: 'invalid_credentials' };
  }

  /**
   * A password typed to change it: null when right and not locked. With 2FA on, a wrong one counts towards
   * the second factor's lockout (as at sign-in), and while locked even the right one is refused.
   */
  function passwordGuessRefusal(userId: string, passwordOk: boolean, meta: RequestMeta): Refused<'wrong_password' | 'locked', { retryAt?: string }> | null {
    const twoFactorOn = deps.twoFactor.isEnabled(userId);
    if (passwordOk) {
      const lockedUntil = twoFactorOn ? deps.twoFactor.lockedUntil(userId) : null;
      return lockedUntil ? { ok: false, reason: 'locked', retryAt: lockedUntil } : null;
    }
    audit.record(userId, 'password_check_failed', { for: 'password_change' }, meta);
    if (!twoFactorOn) return { ok: false, reason: 'wrong_password' };
    const counted = deps.twoFactor.refuseSignInCode(userId, meta);
    return counted.reason === 'locked' ? { ok: false, reason: 'locked', ...(counted.retryAt ? { retryAt: counted.retryAt } : {}) } : { ok: false, reason: 'wrong_password' };
  }

  function toPublic(row: UserRow): PublicUser {
    return {
      id: row.id,
      email: row.email,
      role: row.role,
      timeZone: row.timeZone,
      displayCurrency: row.displayCurrency,
      twoFactorEnabled: deps.twoFactor.isEnabled(row.id),
    };
  }

  /**
   * A wallet that fails to provision does not fail the sign-up: the account is still safe to use and
   * the wallet is provisioned again in the background (wallet-retry.ts). The failure is logged and audited.
   * `own_wallet_required`: this deployment hosts no wallets, so the person connects their own.
   */
  async function provisionWallet(
    userId: string,
    meta?: RequestMeta,
  ): Promise<Result<object, 'no_provisioner' | 'own_wallet_required' | 'provisioning_failed'>> {
    if (!deps.walletProvisioner) return { ok: false, reason: 'no_provisioner' };
    try {
      const provisioned = await deps.walletProvisioner.provisionUserWallet(userId);
      if (!provisioned.ok) return provisioned;
      repo.upsertWallet({
        userId,
        source: 'provisioned',
        nwcUrlCiphertext: deps.secretBox.seal(provisioned.nwcUrl, walletContext(userId)),
        createdAtMs: deps.now().getTime(),
      });
      audit.record(userId, 'wallet_provisioned', undefined, meta);
      return { ok: true };
    } catch (error) {
      deps.logger.warn({ userId, reason: error instanceof Error ? error.message : 'unknown' }, 'wallet provisioning failed');
      audit.record(userId, 'wallet_provisioning_failed', undefined, meta);
      return { ok: false, reason: 'provisioning_failed' };
    }
  }

  return {
    async signUp(input: SignUpInput, meta: RequestMeta): Promise<Result<SignedIn, 'email_taken'>> {
      if (repo.findUserByEmail(input.email)) return { ok: false, reason: 'email_taken' };
      const passwordHash = await hashPassword(input.password);
      const row: UserRow = {
        id: randomUUID(),
        email: input.email,
        passwordHash,
        role: 'user',
        timeZone: input.timeZone,
        displayCurrency: input.displayCurrency,
        createdAtMs: deps.now().getTime(),
      };
      const inserted = repo.transaction(() => {
        // Checked again inside the write transaction: two sign-ups racing for one email.
        if (repo.findUserByEmail(input.email)) return false;
        repo.insertUser(row);
        audit.record(row.id, 'signed_up', undefined, meta);
        return true;
      });
      if (!inserted) return { ok: false, reason: 'email_taken' };
      await provisionWallet(row.id, meta);
      const session = deps.sessions.create(row.id, meta);
      audit.record(row.id, 'signed_in', { method: 'sign_up' }, meta);
      return { ok: true, user: toPublic(row), sessionToken: session.token, sessionExpiresAt: session.expiresAt };
    },

    /**
     * Email, password and (when 2FA is on) an authenticator or recovery code, checked together. The answer
     * never says whether the password alone was right: an account with 2FA asks for the code
     * (`second_factor_required`) whatever the password, and then any failure is `invalid_credentials`
     * (or `locked`, which wrong passwords and wrong codes reach alike). The password is hashed on every
     * path, a decoy for unknown emails, so the time taken says nothing either.
     */
    async signIn(input: SignInInput, meta: RequestMeta): Promise<Result<SignedIn, SignInRefusal, { retryAt?: string }>> {
      const row = repo.findUserByEmail(input.email);
      const passwordOk = await verifyPassword(input.password, row?.passwordHash ?? (await decoyPasswordHash()));
      if (!row) return { ok: false, reason: 'invalid_credentials' };
      const refused = deps.twoFactor.isEnabled(row.id) ? checkSecondFactor(row.id, input, passwordOk, meta) : null;
      if (refused) return refused;
      if (!passwordOk) {
        audit.record(row.id, 'sign_in_failed', { reason: 'wrong_password' }, meta);
        return { ok: false, reason: 'invalid_credentials' };
      }
      const session = deps.sessions.create(row.id, meta);
      audit.record(row.id, 'signed_in', { method: 'password' }, meta);
      return { ok: true, user: toPublic(row), sessionToken: session.token, sessionExpiresAt: session.expiresAt };
    },

    /**
     * Re-checks the signed-in person's password, for changes that need more than the session (e.g.
     * loosening the budget guard without 2FA). A wrong password is audited like a failed sign-in.
     */
    async checkPassword(userId: string, password: string, meta: RequestMeta): Promise<boolean> {
      const row = repo.findUserById(userId);
      const passwordOk = await verifyPassword(password, row?.passwordHash ?? (await decoyPasswordHash()));
      if (row && !passwordOk) audit.record(row.id, 'password_check_failed', undefined, meta);
      return Boolean(row) && passwordOk;
    },

    /**
     * Turns 2FA on with its first code and the password. Once it is on, every proof is a code; were the
     * session enough, a stolen one would enrol its own authenticator and then hold every proof (and lock
     * the person out of signing in). The password is checked first, so a wrong one spends no code.
     */
    async enableTwoFactor(
      userId: string,
      input: { code: string; password: string },
      meta: RequestMeta,
    ): Promise<Result<{ recoveryCodes: string[] }, VerifyRefusal | 'already_enabled' | 'wrong_password', { retryAt?: string }>> {
      const row = repo.findUserById(userId);
      const passwordOk = await verifyPassword(input.password, row?.passwordHash ?? (await decoyPasswordHash()));
      if (!row || !passwordOk) {
        if (row) audit.record(userId, 'password_check_failed', { for: 'two_factor_enrollment' }, meta);
        return { ok: false, reason: 'wrong_password' };
      }
      return deps.twoFactor.confirmEnrollment(userId, input.code, meta);
    },

    /**
     * A new password, given the current one (an open session alone is not enough: it may be a stolen
     * one). Every other session ends at once, with its live streams; the one asking stays signed in.
     * A wrong current password is audited like any other failed password check and, with 2FA on, counts
     * towards the same lockout as a wrong sign-in, which then refuses even the right password.
     */
    async changePassword(
      userId: string,
      currentSessionId: string,
      input: ChangePasswordInput,
      meta: RequestMeta,
    ): Promise<Result<{ otherSessionsEnded: number }, 'wrong_password' | 'locked', { retryAt?: string }>> {
      const row = repo.findUserById(userId);
      if (!row) return { ok: false, reason: 'wrong_password' };
      const passwordOk = await verifyPassword(input.currentPassword, row.passwordHash);
      const refused = passwordGuessRefusal(userId, passwordOk, meta);
      if (refused) return refused;
      repo.updateUser(userId, { passwordHash: await hashPassword(input.newPassword) });
      const otherSessionsEnded = deps.sessions.revokeOthers(userId, currentSessionId);
      audit.record(userId, 'password_changed', { otherSessionsEnded }, meta);
      return { ok: true, otherSessionsEnded };
    },

    /**
     * What deletion leaves of the user row: no email (so it can sign up again), a password nobody
     * knows, and the id the ledger's kept records still name (docs/architecture.md, "Deleting an account").
     */
    scrubDeletedUser(userId: string, unusablePasswordHash: string): void {
      repo.updateUser(userId, { email: deletedEmail(userId), passwordHash: unusablePasswordHash });
    },

    /** The hash of a random password nobody is told: what a deleted account's row keeps. */
    unusablePasswordHash: (): Promise<string> => hashPassword(randomUUID() + randomUUID()),

    signOut(userId: string, sessionId: string, meta: RequestMeta): void {
      if (deps.sessions.revoke(userId, sessionId)) audit.record(userId, 'signed_out', undefined, meta);
    },

    signOutEverywhere(userId: string, meta: RequestMeta): { sessionsEnded: number } {
      const sessionsEnded = deps.sessions.revokeAll(userId);
      audit.record(userId, 'signed_out_everywhere', { sessionsEnded }, meta);
      return { sessionsEnded };
    },

    revokeSession(userId: string, sessionId: string, meta: RequestMeta): Result<object, 'session_not_found'> {
      if (!deps.sessions.revoke(userId, sessionId)) return { ok: false, reason: 'session_not_found' };
      audit.record(userId, 'session_revoked', { sessionId }, meta);
      return { ok: true };
    },

    getUser(userId: string): PublicUser | null {
      const row = repo.findUserById(userId);
      return row ? toPublic(row) : null;
    },

    listUsers(): PublicUser[] {
      return repo.listUsers().filter((row) => !isDeletedEmail(row.email)).map(toPublic);
    },

    /**
     * Saves the time zone and display currency, audited with the changed values before and after and
     * the proof given. The time zone moves the budget month, so the one caller is governance's
     * settings changes, which demand the proof first; `confirmation` says what it was.
     */
    updatePreferences(
      userId: string,
      preferences: Preferences,
      confirmation: { loosened: string; proof: 'none' | 'code' | 'password' },
      meta: RequestMeta,
    ): PublicUser {
      const before = repo.findUserById(userId);
      if (!before) throw new Error(`user ${userId} vanished while updating preferences`);
      repo.updateUser(userId, preferences);
      audit.record(userId, 'preferences_changed', { ...describeChange(describePreferences(before), describePreferences(preferences)), ...confirmation }, meta);
      return toPublic({ ...before, ...preferences });
    },

    /**
     * Creates the operator, or makes an existing account one. Called from start-up configuration and
     * the CLI, never from the public API. The password is set only when the account is created here;
     * an existing account is upgraded only with its own password: public sign-up lets anyone take the
     * operator's address first, and must not hand them the role (`password_mismatch`).
     */
    async ensureOperator(input: { email: string; password: string; timeZone?: string }): Promise<'created' | 'upgraded' | 'unchanged' | 'password_mismatch'> {
      // Configuration is held to the same rules as sign-up; a bad value stops start-up.
      const email = emailSchema.parse(input.email);
      const existing = repo.findUserByEmail(email);
      if (existing) {
        if (existing.role === 'operator') return 'unchanged';
        if (!(await verifyPassword(input.password, existing.passwordHash))) return 'password_mismatch';
        repo.updateUser(existing.id, { role: 'operator' });
        audit.record(existing.id, 'role_granted', { role: 'operator' });
        return 'upgraded';
      }
      const password = newPasswordSchema.safeParse(input.password);
      if (!password.success) throw new Error(`operator password too weak: ${password.error.issues[0]?.message ?? ''}`);
      const id = randomUUID();
      repo.insertUser({
        id,
        email,
        passwordHash: await hashPassword(password.data),
        role: 'operator',
        timeZone: input.timeZone ?? 'UTC',
        displayCurrency: 'USD',
        createdAtMs: deps.now().getTime(),
      });
      audit.record(id, 'role_granted', { role: 'operator' });
      return 'created';
    },

    provisionWallet,

    /** The user's decrypted wallet connection string, for the payment rails; null when there is none. */
    walletConnection(userId: string): string | null {
      const wallet = repo.findWallet(userId);
      return wallet ? deps.secretBox.open(wallet.nwcUrlCiphertext, walletContext(userId)) : null;
    },

    hasWallet(userId: string): boolean {
      return Boolean(repo.findWallet(userId));
    },
  };
}
