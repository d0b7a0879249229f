import { z } from 'zod';

/**
 * Account inputs shared by the sign-up/sign-in forms and the server. The messages are written for the
 * person filling the form: the server returns them as field errors and the client shows them inline.
 */

export const PASSWORD_MIN_LENGTH = 12;
// scrypt's cost does not depend on input length, but a cap keeps request bodies and hashing inputs sane.
export const PASSWORD_MAX_LENGTH = 128;

/** The most-guessed passwords that pass the length rule; refusing them blocks the cheapest attacks. */
const COMMON_PASSWORDS = new Set([
  'password1234',
  'password12345',
  'password123456',
  '123456789012',
  '1234567890123',
  'qwertyuiop12',
  'qwertyuiop123',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'administrator',
  'passwordpassword',
  'correcthorsebatterystaple',
]);

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'That email address is too long.')
  .pipe(z.email('Enter a valid email address, like name@example.com.'));

/** Strength rules for a new password: long enough, not trivially repetitive, not a well-known one. */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
  .refine((v) => new Set(v).size >= 5, 'Use a mix of at least 5 different characters.')
  .refine((v) => !COMMON_PASSWORDS.has(v.toLowerCase()), 'That password is too common. Choose another.');

/** At sign-in any stored password may be typed; only the length cap applies. */
export const passwordSchema = z
  .string()
  .min(1, 'Enter your password.')
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

export function isValidTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const INVALID_TIME_ZONE = 'Choose a valid time zone, like Europe/Berlin.';
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, INVALID_TIME_ZONE);

export const DISPLAY_CURRENCIES = ['USD', 'SAT'] as const;
export type DisplayCurrency = (typeof DISPLAY_CURRENCIES)[number];
export const displayCurrencySchema = z.enum(DISPLAY_CURRENCIES, 'Choose USD or sats.');

export const USER_ROLES = ['user', 'operator'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A 6-digit authenticator code; spaces people type between the groups are ignored. */
export const totpCodeSchema = z
  .string()
  .transform((v) => v.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app.'));

/** A recovery code as shown (xxxxx-xxxxx); case and dashes are forgiven. */
export const recoveryCodeSchema = z
  .string()
  .transform((v) => v.replace(/[\s-]+/g, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9]{10}$/, 'Enter a recovery code like abcde-12345.'));

export const signUpInputSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  timeZone: timeZoneSchema,
  displayCurrency: displayCurrencySchema.default('USD'),
});
export type SignUpInput = z.infer<typeof signUpInputSchema>;

/** Second factor, when the account has 2FA: either an authenticator code or a recovery code. */
export const signInInputSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  code: totpCodeSchema.optional(),
  recoveryCode: recoveryCodeSchema.optional(),
});
export type SignInInput = z.infer<typeof signInInputSchema>;

/** A reset link's token as the operator's command line prints it (`<user id>.<expiry ms>.<mac>`). */
export const resetTokenSchema = z.string().trim().min(1, 'This reset link is incomplete. Open the whole link you were given.').max(200, 'This reset link is not valid.');
export const resetLinkInputSchema = z.object({ token: resetTokenSchema });
export const resetPasswordInputSchema = z.object({
  token: resetTokenSchema,
  newPassword: newPasswordSchema,
  code: totpCodeSchema.optional(),
  recoveryCode: recoveryCodeSchema.optional(),
});
export type ResetPasswordInput = z.infer<typeof resetPasswordInputSchema>;

/** A new time zone moves the budget month, so it takes the proof a loosening change takes (shared/loosening.ts). */
export const preferencesInputSchema = z.object({
  timeZone: timeZoneSchema,
  displayCurrency: displayCurrencySchema,
  code: totpCodeSchema.optional(),
  password: passwordSchema.optional(),
});

export const codeInputSchema = z.object({ code: totpCodeSchema });

/**
 * Turning 2FA on: the first code, and the password. Once on, every proof is a code, so an open session
 * alone must not be able to enrol an authenticator of its own.
 */
export const confirmTotpEnrollmentInputSchema = z.object({ code: totpCodeSchema, password: passwordSchema });

/** Changing the password needs the current one, whatever else the session proves. */
export const changePasswordInputSchema = z.object({
  currentPassword: passwordSchema,
  newPassword: newPasswordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordInputSchema>;

/**
 * Deleting the account: a fresh proof (`code` with 2FA on, `password` with it off) and, when the
 * spending wallet still holds sats, the explicit choice to leave them behind (`forfeitBalance`).
 */
export const deleteAccountInputSchema = z.object({
  code: totpCodeSchema.optional(),
  password: passwordSchema.optional(),
  forfeitBalance: z.boolean().default(false),
});
export type DeleteAccountInput = z.infer<typeof deleteAccountInputSchema>;

export const DATA_EXPORT_FORMATS = ['json', 'csv'] as const;
export const dataExportInputSchema = z.object({ format: z.enum(DATA_EXPORT_FORMATS) });
export const sessionIdInputSchema = z.object({ sessionId: z.string().min(1).max(64) });

/** Names of the security events every user can read in their audit log. */
export const AUDIT_EVENT_KINDS = [
  'signed_up',
  'signed_in',
  'sign_in_failed',
  'signed_out',
  'signed_out_everywhere',
  'session_revoked',
  'second_factor_passed',
  'second_factor_failed',
  'second_factor_locked',
  'recovery_code_used',
  'two_factor_enrollment_started',
  'two_factor_enabled',
  'two_factor_disabled',
  'recovery_codes_regenerated',
  'step_up_granted',
  'step_up_used',
  'preferences_changed',
  'role_granted',
  'wallet_provisioned',
  'wallet_provisioning_failed',
  'wallet_connected',
  'wallet_disconnected',
  'withdrawal_sent',
  'spend_approved',
  'overage_authorized',
  'password_check_failed',
  'guard_settings_changed',
  'dispute_opened',
  'dispute_decided',
  'dispute_refunded',
  'provider_blocked',
  'provider_unblocked',
  'service_paused',
  'service_resumed',
  'pause_policy_changed',
  'provider_claim_opened',
  'provider_claim_settled',
  'password_changed',
  'password_reset_link_issued',
  'password_reset',
  'data_exported',
  'account_deleted',
] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

export const auditLogInputSchema = z
  .object({ beforeId: z.number().int().positive().optional(), limit: z.number().int().min(1).max(100).optional() })
  .default({});
