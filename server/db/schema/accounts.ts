// People, their sessions, their second factor and their security history.
// Secrets never sit here in the clear: passwords and recovery codes are one-way hashes, session tokens
// are stored as their SHA-256, and the TOTP secret and wallet connection string are AES-256-GCM
// ciphertexts (server/db/secret-box.ts) bound to their row.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    // Stored lower-cased and trimmed (shared/accounts.ts emailSchema), so the unique index is exact.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'operator'] }).notNull().default('user'),
    // IANA zone: monthly budgets start at midnight on the 1st in this zone.
    timeZone: text('time_zone').notNull(),
    displayCurrency: text('display_currency', { enum: ['USD', 'SAT'] }).notNull().default('USD'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_valid', sql`${t.role} IN ('user', 'operator')`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    // Public handle shown in the sessions list; unrelated to the cookie token.
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    userAgent: text('user_agent'),
    ip: text('ip'),
    createdAtMs: integer('created_at_ms').notNull(),
    lastSeenAtMs: integer('last_seen_at_ms').notNull(),
    // Idle limit: pushed forward on use, never beyond absoluteExpiresAtMs.
    expiresAtMs: integer('expires_at_ms').notNull(),
    absoluteExpiresAtMs: integer('absolute_expires_at_ms').notNull(),
  },
  (t) => [uniqueIndex('sessions_token_hash_unique').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/** One row per user with 2FA begun or enabled; also holds the verification counters. */
export const totpCredentials = sqliteTable('totp_credentials', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretCiphertext: text('secret_ciphertext').notNull(),
  // Null while enrollment waits for its first valid code.
  enabledAtMs: integer('enabled_at_ms'),
  // Replay guard: a code for this TOTP time step or an earlier one is refused.
  lastUsedTimeStep: integer('last_used_time_step'),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  // How many lockouts in a row; each one lasts longer (see two-factor.ts LOCKOUT_STEPS_MS).
  lockoutCount: integer('lockout_count').notNull().default(0),
  lockedUntilMs: integer('locked_until_ms'),
});

export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAtMs: integer('used_at_ms'),
  },
  (t) => [uniqueIndex('recovery_codes_hash_unique').on(t.userId, t.codeHash)],
);

/** A fresh 2FA code exchanged for a one-time permission to perform exactly one action. */
export const stepUpGrants = sqliteTable(
  'step_up_grants',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    actionKind: text('action_kind').notNull(),
    actionId: text('action_id').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    expiresAtMs: integer('expires_at_ms').notNull(),
    usedAtMs: integer('used_at_ms'),
  },
  (t) => [index('step_up_grants_user_idx').on(t.userId)],
);

export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    // Small JSON object with non-secret context (purpose, action, reason).
    detailJson: text('detail_json'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [index('audit_events_user_idx').on(t.userId, t.id)],
);

/** The user's spending wallet: a NIP-47 connection string, encrypted. */
export const userWallets = sqliteTable('user_wallets', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  source: text('source', { enum: ['provisioned', 'own'] }).notNull(),
  nwcUrlCiphertext: text('nwc_url_ciphertext').notNull(),
  createdAtMs: integer('created_at_ms').notNull(),
});

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type TotpCredentialRow = typeof totpCredentials.$inferSelect;
export type StepUpGrantRow = typeof stepUpGrants.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
