// SQL for the L402 token vault. Values arrive already sealed: this layer never sees a token in clear.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { l402Tokens, type L402TokenRow } from '../schema/payments';

export interface TokenKey {
  userId: string;
  origin: string;
  service: string;
}

export type TokenVaultRepository = ReturnType<typeof createTokenVaultRepository>;

export function createTokenVaultRepository(db: Db) {
  const byKey = (key: TokenKey) =>
    and(eq(l402Tokens.userId, key.userId), eq(l402Tokens.origin, key.origin), eq(l402Tokens.service, key.service));

  return {
    find(key: TokenKey): L402TokenRow | undefined {
      return db.select().from(l402Tokens).where(byKey(key)).get();
    },

    /**
     * One token per key: a newer purchase replaces the older token. Delete + insert rather than an
     * upsert so the replacement gets a new id, and an eviction of the old one cannot remove it.
     */
    replace(row: TokenKey & { macaroonSealed: string; preimageSealed: string; expiresAtMs: number | null; paymentId: string | null; createdAtMs: number }): L402TokenRow {
      return db.transaction((tx) => {
        tx.delete(l402Tokens).where(byKey(row)).run();
        return tx.insert(l402Tokens).values(row).returning().get();
      });
    },

    /** Removes the token only if it is still the one that was used (`id`), not a newer replacement. */
    delete(key: TokenKey, id: number): boolean {
      return db.delete(l402Tokens).where(and(byKey(key), eq(l402Tokens.id, id))).run().changes === 1;
    },
  };
}
