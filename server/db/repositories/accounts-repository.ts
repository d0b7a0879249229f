// SQL for users, their second factor, recovery codes, step-up grants and wallets. Synchronous
// (better-sqlite3) so the domain can compose calls inside one transaction. Every lookup of a user-owned
// row takes the owner's id: there is no "get by id" that could hand one user another's row.
import { and, asc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import {
  auditEvents,
  recoveryCodes,
  stepUpGrants,
  totpCredentials,
  users,
  userWallets,
  type StepUpGrantRow,
  type TotpCredentialRow,
  type UserRow,
} from '../schema/accounts';
import { ownWallets } from '../schema/wallet';

export type NewUserRow = typeof users.$inferInsert;
export type TotpCounters = Pick<TotpCredentialRow, 'failedAttempts' | 'lockoutCount' | 'lockedUntilMs'>;

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;

export function createAccountsRepository(db: Db) {
  return {
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn(), { behavior: 'immediate' });
    },

    insertUser(row: NewUserRow): void {
      db.insert(users).values(row).run();
    },
    findUserByEmail(email: string): UserRow | undefined {
      return db.select().from(users).where(eq(users.email, email)).get();
    },
    findUserById(userId: string): UserRow | undefined {
      return db.select().from(users).where(eq(users.id, userId)).get();
    },
    listUsers(): UserRow[] {
      return db.select().from(users).orderBy(asc(users.createdAtMs)).all();
    },
    updateUser(userId: string, patch: Partial<Pick<UserRow, 'email' | 'role' | 'passwordHash' | 'timeZone' | 'displayCurrency'>>): void {
      db.update(users).set(patch).where(eq(users.id, userId)).run();
    },
    /**
     * Sets the password only while it is still `expectedHash` (compare-and-set in one statement): of two
     * uses of one reset link, on any instances, the first write wins and the other changes nothing.
     */
    replacePasswordHash(userId: string, expectedHash: string, passwordHash: string): boolean {
      const result = db
        .update(users)
        .set({ passwordHash })
        .where(and(eq(users.id, userId), eq(users.passwordHash, expectedHash)))
        .run();
      return result.changes === 1;
    },

    findTotp(userId: string): TotpCredentialRow | undefined {
      return db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).get();
    },
    /**
     * The credential, read for a code check that will rewrite its lockout counters: an UPDATE that changes
     * nothing and returns the row. PostgreSQL then holds the row's lock until the transaction ends (as
     * SELECT ... FOR UPDATE would) and returns its latest committed version, so two instances checking
     * codes for one person count every failure; SQLite's IMMEDIATE transaction already excludes writers.
     */
    findTotpForCheck(userId: string): TotpCredentialRow | undefined {
      return db
        .update(totpCredentials)
        .set({ failedAttempts: sql`${totpCredentials.failedAttempts}` })
        .where(eq(totpCredentials.userId, userId))
        .returning()
        .get();
    },
    /** Starting (or restarting) enrollment replaces any pending secret; an enabled one is never replaced here. */
    upsertPendingTotp(userId: string, secretCiphertext: string): void {
      db.insert(totpCredentials)
        .values({ userId, secretCiphertext })
        .onConflictDoUpdate({
          target: totpCredentials.userId,
          set: { secretCiphertext, enabledAtMs: null, lastUsedTimeStep: null },
          where: isNull(totpCredentials.enabledAtMs),
        })
        .run();
    },
    enableTotp(userId: string, atMs: number): void {
      db.update(totpCredentials).set({ enabledAtMs: atMs }).where(eq(totpCredentials.userId, userId)).run();
    },
    deleteTotp(userId: string): void {
      db.delete(totpCredentials).where(eq(totpCredentials.userId, userId)).run();
    },
    setTotpCounters(userId: string, counters: TotpCounters): void {
      db.update(totpCredentials).set(counters).where(eq(totpCredentials.userId, userId)).run();
    },
    /**
     * Claims a TOTP time step: succeeds only when it is newer than the last one used, so two requests
     * racing with the same code cannot both pass (the check and the write are one statement).
     */
    claimTimeStep(userId: string, timeStep: number): boolean {
      const result = db
        .update(totpCredentials)
        .set({ lastUsedTimeStep: timeStep })
        .where(
          and(
            eq(totpCredentials.userId, userId),
            or(isNull(totpCredentials.lastUsedTimeStep), lt(totpCredentials.lastUsedTimeStep, timeStep)),
          ),
        )
        .run();
      return result.changes === 1;
    },

    replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): void {
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
      if (codeHashes.length > 0) {
        db.insert(recoveryCodes)
          .values(codeHashes.map((codeHash) => ({ userId, codeHash })))
          .run();
      }
    },
    countUnusedRecoveryCodes(userId: string): number {
      return db
        .select({ id: recoveryCodes.id })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAtMs)))
        .all().length;
    },
    /** Marks an unused code as used; false when it does not exist or was already used. */
    useRecoveryCode(userId: string, codeHash: string, atMs: number): boolean {
      const result = db
        .update(recoveryCodes)
        .set({ usedAtMs: atMs })
        .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAtMs)))
        .run();
      return result.changes === 1;
    },

    insertStepUpGrant(row: StepUpGrantRow): void {
      db.insert(stepUpGrants).values(row).run();
    },
    findStepUpGrant(userId: string, grantId: string): StepUpGrantRow | undefined {
      return db
        .select()
        .from(stepUpGrants)
        .where(and(eq(stepUpGrants.userId, userId), eq(stepUpGrants.id, grantId)))
        .get();
    },
    /** Single-use: only the first caller flips usedAtMs, and only before expiry. */
    useStepUpGrant(userId: string, grantId: string, atMs: number): boolean {
      const result = db
        .update(stepUpGrants)
        .set({ usedAtMs: atMs })
        .where(
          and(
            eq(stepUpGrants.userId, userId),
            eq(stepUpGrants.id, grantId),
            isNull(stepUpGrants.usedAtMs),
            gt(stepUpGrants.expiresAtMs, atMs),
          ),
        )
        .run();
      return result.changes === 1;
    },

    findWallet(userId: string) {
      return db.select().from(userWallets).where(eq(userWallets.userId, userId)).get();
    },

    /**
     * People whose wallet failed to provision and who have none yet (neither provisioned nor their
     * own), oldest first; `userId` narrows it to one person (a check under that person's lease).
     */
    awaitingWallet(limit: number, userId?: string): string[] {
      const rows = db
        .select({ id: users.id })
        .from(users)
        .where(
          and(
            userId === undefined ? undefined : eq(users.id, userId),
            sql`NOT EXISTS (SELECT 1 FROM ${userWallets} WHERE ${userWallets.userId} = ${users.id})`,
            sql`NOT EXISTS (SELECT 1 FROM ${ownWallets} WHERE ${ownWallets.userId} = ${users.id})`,
            sql`EXISTS (SELECT 1 FROM ${auditEvents} WHERE ${auditEvents.userId} = ${users.id} AND ${auditEvents.kind} = 'wallet_provisioning_failed')`,
          ),
        )
        .orderBy(asc(users.createdAtMs), asc(users.id))
        .limit(limit)
        .all();
      return rows.map((row) => row.id);
    },
    upsertWallet(row: typeof userWallets.$inferInsert): void {
      db.insert(userWallets)
        .values(row)
        .onConflictDoUpdate({
          target: userWallets.userId,
          set: { source: row.source, nwcUrlCiphertext: row.nwcUrlCiphertext, createdAtMs: row.createdAtMs },
        })
        .run();
    },
  };
}
