/**
 * Paid L402 tokens, kept per user and keyed by origin + service: the granularity at which a provider
 * prices and scopes a token (keying on the URL is too narrow, on the host too broad). Macaroon and
 * preimage are a bearer credential, so both are sealed with the secret box and bound to the row's
 * key; neither is ever put in a log line or returned outside the payments domain.
 */
import type { SecretBox } from '../../db/secret-box';
import type { TokenKey, TokenVaultRepository } from '../../db/repositories/token-vault-repository';

export interface StoredToken {
  id: number;
  macaroon: string;
  preimageHex: string;
  expiresAtMs: number | null;
}

export interface TokenVault {
  /** A token predicted to be valid for longer than `marginMs`, or null. */
  find(key: TokenKey, nowMs: number, marginMs: number): StoredToken | null;
  put(key: TokenKey, token: { macaroon: string; preimageHex: string; expiresAtMs: number | null; paymentId: string | null }, nowMs: number): void;
  /** Drops a token the provider rejected; a newer token stored meanwhile is kept. */
  evict(key: TokenKey, tokenId: number): void;
}

/** The associated data binds each sealed value to its row and field: moved elsewhere it fails to open. */
const sealContext = (key: TokenKey, field: 'macaroon' | 'preimage') =>
  `l402-token:${field}:${JSON.stringify([key.userId, key.origin, key.service])}`;

export function createTokenVault(repository: TokenVaultRepository, secretBox: SecretBox): TokenVault {
  return {
    find(key, nowMs, marginMs) {
      const row = repository.find(key);
      if (!row) return null;
      if (row.expiresAtMs !== null && row.expiresAtMs - nowMs <= marginMs) {
        repository.delete(key, row.id);
        return null;
      }
      return {
        id: row.id,
        macaroon: secretBox.open(row.macaroonSealed, sealContext(key, 'macaroon')),
        preimageHex: secretBox.open(row.preimageSealed, sealContext(key, 'preimage')),
        expiresAtMs: row.expiresAtMs,
      };
    },

    put(key, token, nowMs) {
      repository.replace({
        ...key,
        macaroonSealed: secretBox.seal(token.macaroon, sealContext(key, 'macaroon')),
        preimageSealed: secretBox.seal(token.preimageHex, sealContext(key, 'preimage')),
        expiresAtMs: token.expiresAtMs,
        paymentId: token.paymentId,
        createdAtMs: nowMs,
      });
    },

    evict(key, tokenId) {
      repository.delete(key, tokenId);
    },
  };
}
