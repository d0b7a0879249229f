import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import type { AccountsRepository } from '../../db/repositories/accounts-repository';
import type { TotpCredentialRow } from '../../db/schema/accounts';
import type { SecretBox } from '../../db/secret-box';
import type { AuditLog } from './audit-log';
import { formatRecoveryCode, generateRecoveryCode, RECOVERY_CODE_COUNT, type KeyedHasher } from './tokens';
import type { Clock, RequestMeta, Result } from './types';

/** After this many wrong codes in a row the second factor locks... */
export const LOCKOUT_THRESHOLD = 5;
/** ...for a period that grows with each consecutive lockout, and resets after a correct code. */
export const LOCKOUT_STEPS_MS = [1, 5, 15, 60].map((minutes) => minutes * 60_000);
const TOTP_PERIOD_S = 30;
// One time step either side, for phones whose clock is a little off.
const DRIFT_TOLERANCE_S = TOTP_PERIOD_S;
const ISSUER = 'Steward';

export type VerifyPurpose = 'sign_in' | 'password_reset' | 'enroll' | 'disable' | 'step_up' | 'recovery_codes';
export type SecondFactor = { code: string } | { recoveryCode: string };
export type VerifyRefusal = 'not_enabled' | 'invalid_code' | 'code_already_used' | 'locked';
export type VerifyResult = Result<{ method: 'totp' | 'recovery_code' }, VerifyRefusal, { retryAt?: string }>;

export interface TwoFactorStatus {
  enabled: boolean;
  pendingEnrollment: boolean;
  recoveryCodesRemaining: number;
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;

/**
 * TOTP second factor (RFC 6238, 6 digits, 30 s) with ten one-time recovery codes.
 * Every check runs inside one synchronous IMMEDIATE transaction: the lockout counters, the replay guard
 * (last accepted time step; a code for that step or an earlier one is refused) and the audit record
 * change together, so two racing requests cannot both spend the same code or dodge the counter. The
 * counters live in the database and the credential is read locked (`findTotpForCheck`), so the lockout
 * holds over every instance sharing it and across restarts.
 */
export function createTwoFactorService(deps: {
  repo: AccountsRepository;
  secretBox: SecretBox;
  recoveryCodeHasher: KeyedHasher;
  audit: AuditLog;
  now: Clock;
}) {
  const { repo, audit } = deps;
  const secretContext = (userId: string) => `totp:${userId}`;
  const hashRecoveryCode = (userId: string, canonical: string) => deps.recoveryCodeHasher(`${userId}:${canonical}`);

  function checkFactor(
    userId: string,
    credential: TotpCredentialRow,
    factor: SecondFactor,
    nowMs: number,
  ): { ok: true; method: 'totp' | 'recovery_code' } | { ok: false; reason: 'invalid_code' | 'code_already_used' } {
    if ('recoveryCode' in factor) {
      return repo.useRecoveryCode(userId, hashRecoveryCode(userId, factor.recoveryCode), nowMs)
        ? { ok: true, method: 'recovery_code' }
        : { ok: false, reason: 'invalid_code' };
    }
    const secret = deps.secretBox.open(credential.secretCiphertext, secretContext(userId));
    const result = verifySync({
      secret,
      token: factor.code,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: DRIFT_TOLERANCE_S,
    });
    if (!result.valid) return { ok: false, reason: 'invalid_code' };
    // TOTP results carry the matched time step (HOTP ones do not); its absence would be a library bug.
    if (!('timeStep' in result)) throw new Error('TOTP verification returned no time step');
    return repo.claimTimeStep(userId, result.timeStep)
      ? { ok: true, method: 'totp' }
      : { ok: false, reason: 'code_already_used' };
  }

  /** The whole check; callers run it inside a transaction. */
  function verifyInTransaction(userId: string, factor: SecondFactor, purpose: VerifyPurpose, meta?: RequestMeta): VerifyResult {
    const credential = repo.findTotpForCheck(userId);
    const expectEnabled = purpose !== 'enroll';
    if (!credential || (credential.enabledAtMs !== null) !== expectEnabled) return { ok: false, reason: 'not_enabled' };
    // Recovery codes stand in for the phone at sign-in (and its reset) only; approving money always needs the phone.
    if ('recoveryCode' in factor && purpose !== 'sign_in' && purpose !== 'password_reset') {
      audit.record(userId, 'second_factor_failed', { purpose, reason: 'recovery_code_not_allowed' }, meta);
      return { ok: false, reason: 'invalid_code' };
    }
    const nowMs = deps.now().getTime();
    if (credential.lockedUntilMs !== null && credential.lockedUntilMs > nowMs) {
      const retryAt = new Date(credential.lockedUntilMs).toISOString();
      audit.record(userId, 'second_factor_failed', { purpose, reason: 'locked' }, meta);
      return { ok: false, reason: 'locked', retryAt };
    }

    const checked = checkFactor(userId, credential, factor, nowMs);
    if (checked.ok) {
      repo.setTotpCounters(userId, { failedAttempts: 0, lockoutCount: 0, lockedUntilMs: null });
      audit.record(userId, 'second_factor_passed', { purpose, method: checked.method }, meta);
      if (checked.method === 'recovery_code') {
        audit.record(userId, 'recovery_code_used', { remaining: repo.countUnusedRecoveryCodes(userId) }, meta);
      }
      return { ok: true, method: checked.method };
    }

    audit.record(userId, 'second_factor_failed', { purpose, reason: checked.reason }, meta);
    return countFailure(userId, credential, { purpose, reason: checked.reason, nowMs }, meta);
  }

  /** One more failure towards the lockout; at the threshold the second factor locks for the next step. */
  function countFailure(
    userId: string,
    credential: TotpCredentialRow,
    failure: { purpose: VerifyPurpose; reason: 'invalid_code' | 'code_already_used'; nowMs: number },
    meta?: RequestMeta,
  ): VerifyResult & { ok: false } {
    const failedAttempts = credential.failedAttempts + 1;
    if (failedAttempts < LOCKOUT_THRESHOLD) {
      repo.setTotpCounters(userId, { failedAttempts, lockoutCount: credential.lockoutCount, lockedUntilMs: null });
      return { ok: false, reason: failure.reason };
    }
    const step = LOCKOUT_STEPS_MS[Math.min(credential.lockoutCount, LOCKOUT_STEPS_MS.length - 1)] ?? 0;
    const lockedUntilMs = failure.nowMs + step;
    repo.setTotpCounters(userId, { failedAttempts: 0, lockoutCount: credential.lockoutCount + 1, lockedUntilMs });
    const retryAt = new Date(lockedUntilMs).toISOString();
    audit.record(userId, 'second_factor_locked', { purpose: failure.purpose, until: retryAt }, meta);
    return { ok: false, reason: 'locked', retryAt };
  }

  /**
   * A sign-in to an account with 2FA whose password was wrong, with a code: counted towards the lockout
   * like a wrong code, so neither the answer nor the lockout tells which of the two was wrong. The code
   * is not checked (a right one is not spent); while locked, the answer is `locked` as for any code.
   */
  function refuseSignInCode(userId: string, meta?: RequestMeta): VerifyResult & { ok: false } {
    return repo.transaction(() => {
      const credential = repo.findTotpForCheck(userId);
      if (!credential?.enabledAtMs) return { ok: false, reason: 'not_enabled' };
      const nowMs = deps.now().getTime();
      if (credential.lockedUntilMs !== null && credential.lockedUntilMs > nowMs) {
        return { ok: false, reason: 'locked', retryAt: new Date(credential.lockedUntilMs).toISOString() };
      }
      return countFailure(userId, credential, { purpose: 'sign_in', reason: 'invalid_code', nowMs }, meta);
    });
  }

  function issueRecoveryCodes(userId: string): string[] {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    repo.replaceRecoveryCodes(userId, codes.map((code) => hashRecoveryCode(userId, code)));
    return codes.map(formatRecoveryCode);
  }

  return {
    status(userId: string): TwoFactorStatus {
      const credential = repo.findTotp(userId);
      return {
        enabled: Boolean(credential?.enabledAtMs),
        pendingEnrollment: Boolean(credential && credential.enabledAtMs === null),
        recoveryCodesRemaining: credential?.enabledAtMs ? repo.countUnusedRecoveryCodes(userId) : 0,
      };
    },

    /** When the second factor's lockout ends (ISO time), or null when it is not locked. */
    lockedUntil(userId: string): string | null {
      const lockedUntilMs = repo.findTotp(userId)?.lockedUntilMs ?? null;
      return lockedUntilMs !== null && lockedUntilMs > deps.now().getTime() ? new Date(lockedUntilMs).toISOString() : null;
    },

    isEnabled(userId: string): boolean {
      return Boolean(repo.findTotp(userId)?.enabledAtMs);
    },

    /** A new secret, shown once as a QR code and as text; 2FA is not on until confirmEnrollment. */
    async beginEnrollment(
      userId: string,
      label: string,
      meta?: RequestMeta,
    ): Promise<Result<{ secret: string; otpauthUri: string; qrDataUrl: string }, 'already_enabled'>> {
      if (repo.findTotp(userId)?.enabledAtMs) return { ok: false, reason: 'already_enabled' };
      const secret = generateSecret();
      repo.upsertPendingTotp(userId, deps.secretBox.seal(secret, secretContext(userId)));
      audit.record(userId, 'two_factor_enrollment_started', undefined, meta);
      const otpauthUri = generateURI({ issuer: ISSUER, label, secret });
      const qrDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
      return { ok: true, secret, otpauthUri, qrDataUrl };
    },

    /** Turns 2FA on with a first valid code and returns the recovery codes (the only time they are shown). */
    confirmEnrollment(
      userId: string,
      code: string,
      meta?: RequestMeta,
    ): Result<{ recoveryCodes: string[] }, VerifyRefusal | 'already_enabled', { retryAt?: string }> {
      return repo.transaction(() => {
        if (repo.findTotp(userId)?.enabledAtMs) return { ok: false, reason: 'already_enabled' } as const;
        const verified = verifyInTransaction(userId, { code }, 'enroll', meta);
        if (!verified.ok) return verified;
        repo.enableTotp(userId, deps.now().getTime());
        const recoveryCodes = issueRecoveryCodes(userId);
        audit.record(userId, 'two_factor_enabled', undefined, meta);
        return { ok: true, recoveryCodes };
      });
    },

    verify(userId: string, factor: SecondFactor, purpose: VerifyPurpose, meta?: RequestMeta): VerifyResult {
      return repo.transaction(() => verifyInTransaction(userId, factor, purpose, meta));
    },

    /** Turning 2FA off needs a current authenticator code, so a stolen session alone cannot do it. */
    disable(userId: string, code: string, meta?: RequestMeta): Result<object, VerifyRefusal, { retryAt?: string }> {
      return repo.transaction(() => {
        const verified = verifyInTransaction(userId, { code }, 'disable', meta);
        if (!verified.ok) return verified;
        repo.deleteTotp(userId);
        repo.replaceRecoveryCodes(userId, []);
        audit.record(userId, 'two_factor_disabled', undefined, meta);
        return { ok: true };
      });
    },

    /** New recovery codes (the old ones stop working) in exchange for a current authenticator code. */
    regenerateRecoveryCodes(
      userId: string,
      code: string,
      meta?: RequestMeta,
    ): Result<{ recoveryCodes: string[] }, VerifyRefusal, { retryAt?: string }> {
      return repo.transaction(() => {
        const verified = verifyInTransaction(userId, { code }, 'recovery_codes', meta);
        if (!verified.ok) return verified;
        const recoveryCodes = issueRecoveryCodes(userId);
        audit.record(userId, 'recovery_codes_regenerated', undefined, meta);
        return { ok: true, recoveryCodes };
      });
    },

    refuseSignInCode,

    /** For composition inside another service's transaction (step-up). */
    verifyInTransaction,
  };
}
