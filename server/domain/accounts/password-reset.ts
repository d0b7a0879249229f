/**
 * Account recovery without email: a person who forgot their password asks the operator, who checks who
 * they are out of band and issues a reset link from the server's command line
 * (`npm run operator:reset-link`). Locked out of the account means locked out of its money, so this is
 * the way back; it must not be a way in for anyone else.
 *
 * The link carries `<userId>.<expiresAtMs>.<mac>`, the MAC keyed by the secrets key over the user, the
 * expiry and the account's current password hash. Nothing is stored: the link stops working when it
 * expires (an hour), once used (the new password has a new hash; the write is conditional on the old
 * one, so two uses at once on any instances set it once), and when the person changes their
 * password by other means. It replaces only the password: an account with 2FA still needs its
 * authenticator or a recovery code, counted towards the same lockout as sign-in, so an operator or a
 * leaked link alone cannot take an account over. Every session ends, and both the issue and the use
 * are in the person's security log.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ResetPasswordInput } from '../../../shared/accounts';
import { emailSchema } from '../../../shared/accounts';
import type { AccountsRepository } from '../../db/repositories/accounts-repository';
import type { AuditLog } from './audit-log';
import { hashPassword } from './password';
import type { SessionService } from './sessions';
import type { KeyedHasher } from './tokens';
import type { TwoFactorService } from './two-factor';
import type { Clock, RequestMeta, Result } from './types';

/** How long a link works: long enough to read a message and act, short enough to be worth little later. */
export const RESET_LINK_TTL_MS = 60 * 60 * 1000;

export type ResetRefusal = 'reset_link_invalid' | 'second_factor_required' | 'invalid_credentials' | 'locked';

export interface ResetLink {
  token: string;
  userId: string;
  expiresAtMs: number;
}

interface ParsedToken {
  userId: string;
  expiresAtMs: number;
  mac: string;
}

/** The token's three parts, or null when it is not of that form (refused like any other bad link). */
export function parseResetToken(token: string): ParsedToken | null {
  const match = /^([0-9a-f-]{1,64})\.(\d{13,15})\.([0-9a-f]{64})$/.exec(token);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { userId: match[1], expiresAtMs: Number(match[2]), mac: match[3] };
}

const macInput = (userId: string, expiresAtMs: number, passwordHash: string) => `${userId}.${expiresAtMs}.${passwordHash}`;

function sameMac(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;

export function createPasswordReset(deps: {
  repo: Pick<AccountsRepository, 'findUserByEmail' | 'findUserById' | 'replacePasswordHash'>;
  sessions: Pick<SessionService, 'revokeAll'>;
  twoFactor: Pick<TwoFactorService, 'isEnabled' | 'verify'>;
  audit: AuditLog;
  /** Keyed by the secrets key: a copy of the database alone cannot make a link. */
  mac: KeyedHasher;
  now: Clock;
}) {
  /** The account a token names, when it is genuine, unexpired and its password unchanged since. */
  function accountOf(token: string) {
    const parsed = parseResetToken(token);
    if (!parsed || parsed.expiresAtMs <= deps.now().getTime()) return null;
    const row = deps.repo.findUserById(parsed.userId);
    if (!row) return null;
    return sameMac(deps.mac(macInput(row.id, parsed.expiresAtMs, row.passwordHash)), parsed.mac) ? { row, expiresAtMs: parsed.expiresAtMs } : null;
  }

  return {
    /** For the operator's command line only; recorded in the person's security log. */
    issueLink(email: string): Result<ResetLink, 'unknown_email'> {
      const parsed = emailSchema.safeParse(email);
      const row = parsed.success ? deps.repo.findUserByEmail(parsed.data) : undefined;
      if (!row) return { ok: false, reason: 'unknown_email' };
      const expiresAtMs = deps.now().getTime() + RESET_LINK_TTL_MS;
      deps.audit.record(row.id, 'password_reset_link_issued', { expires: new Date(expiresAtMs).toISOString() });
      return { ok: true, userId: row.id, expiresAtMs, token: `${row.id}.${expiresAtMs}.${deps.mac(macInput(row.id, expiresAtMs, row.passwordHash))}` };
    },

    /** What the reset page shows before asking: whose account, and whether a code will be needed. */
    inspect(token: string): Result<{ email: string; twoFactorEnabled: boolean; expiresAtMs: number }, 'reset_link_invalid'> {
      const account = accountOf(token);
      if (!account) return { ok: false, reason: 'reset_link_invalid' };
      return { ok: true, email: account.row.email, twoFactorEnabled: deps.twoFactor.isEnabled(account.row.id), expiresAtMs: account.expiresAtMs };
    },

    /** Sets the new password when the link holds (and the second factor, with 2FA on); ends every session. */
    async reset(input: ResetPasswordInput, meta: RequestMeta): Promise<Result<{ sessionsEnded: number }, ResetRefusal, { retryAt?: string }>> {
      const account = accountOf(input.token);
      if (!account) return { ok: false, reason: 'reset_link_invalid' };
      const userId = account.row.id;
      if (deps.twoFactor.isEnabled(userId)) {
        const factor = input.code ? { code: input.code } : input.recoveryCode ? { recoveryCode: input.recoveryCode } : null;
        if (!factor) return { ok: false, reason: 'second_factor_required' };
        const verified = deps.twoFactor.verify(userId, factor, 'password_reset', meta);
        if (!verified.ok) return verified.reason === 'locked' ? { ok: false, reason: 'locked', retryAt: verified.retryAt } : { ok: false, reason: 'invalid_credentials' };
      }
      const passwordHash = await hashPassword(input.newPassword);
      // Hashing awaited: another use of the same link (here or on another instance) may have set a password
      // meanwhile. The write holds only while the hash is still the one the link was checked against, so
      // exactly one use wins and the other is refused like any used link.
      if (!deps.repo.replacePasswordHash(userId, account.row.passwordHash, passwordHash)) return { ok: false, reason: 'reset_link_invalid' };
      const sessionsEnded = deps.sessions.revokeAll(userId);
      deps.audit.record(userId, 'password_reset', { sessionsEnded }, meta);
      return { ok: true, sessionsEnded };
    },
  };
}
