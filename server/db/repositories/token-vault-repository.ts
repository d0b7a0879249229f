// SQL for the L402 token vault. Values arrive already sealed: this layer never sees a token in clear.
// Every statement is prepared once: a cached-token request runs the lookup, and building it anew
// per request cost more than the rest of the governed work on that path.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { l402Tokens, type L402TokenRow } from '../schema/payments';

export type TokenKey = {
  userId: string;
  origin: string;
  service: string;
};

export type NewTokenRow = TokenKey & { macaroonSealed: string; preimageSealed: string; expiresAtMs: number | null; paymentId: string | null; createdAtMs: number };

export type TokenVaultRepository = ReturnType<typeof createTokenVaultRepository>;

export function createTokenVaultRepository(db: Db) {
  const byKey = and(
    eq(l402Tokens.userId, sql.placeholder('userId')),
    eq(l402Tokens.origin, sql.placeholder('origin')),
    eq(l402Tokens.service, sql.placeholder('service')),
  );
  // The unique index on (user_id, origin, service) makes this one index lookup.
  const findQuery = db.select().from(l402Tokens).where(byKey).prepare();
  const deleteByKeyQuery = db.delete(l402Tokens).where(byKey).prepare();
  const deleteByIdQuery = db.delete(l402Tokens).where(and(byKey, eq(l402Tokens.id, sql.placeholder('id')))).prepare();
  const insertQuery = db
    .insert(l402Tokens)
    .values({
      userId: sql.placeholder('userId'),
      origin: sql.placeholder('origin'),
      service: sql.placeholder('service'),
      macaroonSealed: sql.placeholder('macaroonSealed'),
      preimageSealed: sql.placeholder('preimageSealed'),
      expiresAtMs: sql.placeholder('expiresAtMs'),
      paymentId: sql.placeholder('paymentId'),
      createdAtMs: sql.placeholder('createdAtMs'),
    })
    .returning()
    .prepare();
  const keyOf = (key: TokenKey): TokenKey => ({ userId: key.userId, origin: key.origin, service: key.service });

  return {
    find(key: TokenKey): L402TokenRow | undefined {
      return findQuery.get(keyOf(key));
    },

    /**
     * One token per key: a newer purchase replaces the older token. Delete + insert rather than an
     * upsert so the replacement gets a new id, and an eviction of the old one cannot remove it.
     */
    replace(row: NewTokenRow): L402TokenRow {
      return db.transaction(() => {
        deleteByKeyQuery.run(keyOf(row));
        const inserted = insertQuery.get(row);
        if (!inserted) throw new Error('inserting a vault token returned no row');
        return inserted;
      });
    },

    /** Removes the token only if it is still the one that was used (`id`), not a newer replacement. */
    delete(key: TokenKey, id: number): boolean {
      return deleteByIdQuery.run({ ...keyOf(key), id }).changes === 1;
    },
  };
}
