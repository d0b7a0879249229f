/**
 * Paid L402 tokens, kept per user and keyed by origin + service: the granularity at which a provider
 * prices and scopes a token (keying on the URL is too narrow, on the host too broad). Macaroon and
 * preimage are a bearer credential, so both are sealed with the secret box and bound to the row's
 * key; neither is ever put in a log line or returned outside the payments domain.
 *
 * The database row is read on every lookup (another process may have replaced or evicted it), but a
 * row already opened is not decrypted again: its plaintext is kept in memory, by row id, for as long
 * as its sealed values are the ones read. Row ids are never reused (AUTOINCREMENT), and a row's
 * sealed values never change, so a kept plaintext always belongs to the row that was read.
 */
import type { SecretBox } from '../../db/secret-box';
import type { TokenKey, TokenVaultRepository } from '../../db/repositories/token-vault-repository';
import type { L402TokenRow } from '../../db/schema/payments';

export interface StoredToken {
  id: number;
  macaroon: string;
  preimageHex: string;
  expiresAtMs: number | null;
  /** The payment that bought it; null for tokens stored without one. */
  paymentId: string | null;
}

export interface TokenToStore {
  macaroon: string;
  preimageHex: string;
  expiresAtMs: number | null;
  paymentId: string | null;
}

export interface TokenVault {
  /** A token predicted to be valid for longer than `marginMs`, or null. */
  find(key: TokenKey, nowMs: number, marginMs: number): StoredToken | null;
  /** Stores the token for `key`, replacing any older one; returns it as stored. */
  put(key: TokenKey, token: TokenToStore, nowMs: number): StoredToken;
  /** Drops a token the provider rejected; a newer token stored meanwhile is kept. */
  evict(key: TokenKey, tokenId: number): void;
}

/** Opened tokens kept in memory: enough for every key a busy process uses at once. */
const MAX_OPENED = 256;

/** The associated data binds each sealed value to its row and field: moved elsewhere it fails to open. */
const sealContext = (key: TokenKey, field: 'macaroon' | 'preimage') =>
  `l402-token:${field}:${JSON.stringify([key.userId, key.origin, key.service])}`;

export function createTokenVault(repository: TokenVaultRepository, secretBox: SecretBox): TokenVault {
  const opened = new Map<number, { row: Pick<L402TokenRow, 'macaroonSealed' | 'preimageSealed'>; token: StoredToken }>();

  function remember(row: L402TokenRow, token: StoredToken): StoredToken {
    opened.set(row.id, { row: { macaroonSealed: row.macaroonSealed, preimageSealed: row.preimageSealed }, token });
    for (const oldest of opened.keys()) {
      if (opened.size <= MAX_OPENED) break;
      opened.delete(oldest);
    }
    return token;
  }

  function open(key: TokenKey, row: L402TokenRow): StoredToken {
    const kept = opened.get(row.id);
    if (kept && kept.row.macaroonSealed === row.macaroonSealed && kept.row.preimageSealed === row.preimageSealed) return kept.token;
    return remember(row, {
      id: row.id,
      macaroon: secretBox.open(row.macaroonSealed, sealContext(key, 'macaroon')),
      preimageHex: secretBox.open(row.preimageSealed, sealContext(key, 'preimage')),
      expiresAtMs: row.expiresAtMs,
      paymentId: row.paymentId,
    });
  }

  return {
    find(key, nowMs, marginMs) {
      const row = repository.find(key);
      if (!row) return null;
      if (row.expiresAtMs !== null && row.expiresAtMs - nowMs <= marginMs) {
        repository.delete(key, row.id);
        opened.delete(row.id);
        return null;
      }
      return open(key, row);
    },

    put(key, token, nowMs) {
      const row = repository.replace({
        ...key,
        macaroonSealed: secretBox.seal(token.macaroon, sealContext(key, 'macaroon')),
        preimageSealed: secretBox.seal(token.preimageHex, sealContext(key, 'preimage')),
        expiresAtMs: token.expiresAtMs,
        paymentId: token.paymentId,
        createdAtMs: nowMs,
      });
      return remember(row, { id: row.id, macaroon: token.macaroon, preimageHex: token.preimageHex, expiresAtMs: row.expiresAtMs, paymentId: row.paymentId });
    },

    evict(key, tokenId) {
      repository.delete(key, tokenId);
      opened.delete(tokenId);
    },
  };
}
