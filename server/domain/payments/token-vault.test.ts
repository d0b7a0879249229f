// The vault keeps opened tokens in memory; the database row stays the truth: a token replaced or
// evicted by another process, or a row altered at rest, is never answered from memory.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createTokenVaultRepository } from '../../db/repositories/token-vault-repository';
import { createSecretBox, SecretBoxError } from '../../db/secret-box';
import { createTokenVault, type TokenVault } from './token-vault';

const KEY = { userId: 'user-1', origin: 'http://market.test', service: 'joke' };
const NOW_MS = Date.parse('2026-03-10T15:00:00Z');
const token = (n: number) => ({ macaroon: `AgEEbHNhdAJC${n}`, preimageHex: String(n).repeat(64).slice(0, 64), expiresAtMs: null, paymentId: null });

describe('token vault', () => {
  let handle: DatabaseHandle;
  let vault: TokenVault;
  const key = randomBytes(32);
  /** Another process with its own vault over the same database and key. */
  let other: TokenVault;

  beforeEach(() => {
    handle = openDatabase(':memory:');
    vault = createTokenVault(createTokenVaultRepository(handle.db), createSecretBox(key));
    other = createTokenVault(createTokenVaultRepository(handle.db), createSecretBox(key));
  });

  it('returns the token as stored, and the same after it was opened once', () => {
    const stored = vault.put(KEY, token(1), NOW_MS);
    expect(stored).toMatchObject({ macaroon: token(1).macaroon, preimageHex: token(1).preimageHex });
    expect(other.find(KEY, NOW_MS, 0)).toEqual(stored);
    expect(other.find(KEY, NOW_MS, 0)).toEqual(stored);
  });

  it('answers what the database holds now: a replacement or an eviction by another process', () => {
    vault.put(KEY, token(1), NOW_MS);
    expect(vault.find(KEY, NOW_MS, 0)?.macaroon).toBe(token(1).macaroon);
    const replaced = other.put(KEY, token(2), NOW_MS);
    expect(vault.find(KEY, NOW_MS, 0)).toEqual(replaced);
    other.evict(KEY, replaced.id);
    expect(vault.find(KEY, NOW_MS, 0)).toBeNull();
  });

  it('opens a row altered at rest again (and refuses it) instead of answering from memory', () => {
    const stored = vault.put(KEY, token(1), NOW_MS);
    expect(vault.find(KEY, NOW_MS, 0)).toEqual(stored);
    const foreign = createSecretBox(randomBytes(32)).seal('AgEEbHNhdAJCx', 'l402-token:macaroon:["user-1","http://market.test","joke"]');
    handle.sqlite.prepare('UPDATE l402_tokens SET macaroon_sealed = ? WHERE id = ?').run(foreign, stored.id);
    expect(() => vault.find(KEY, NOW_MS, 0)).toThrow(SecretBoxError);
  });

  it('drops a token predicted to expire within the margin', () => {
    vault.put(KEY, { ...token(1), expiresAtMs: NOW_MS + 10_000 }, NOW_MS);
    expect(vault.find(KEY, NOW_MS, 5_000)).not.toBeNull();
    expect(vault.find(KEY, NOW_MS + 6_000, 5_000)).toBeNull();
    expect(handle.sqlite.prepare('SELECT count(*) AS n FROM l402_tokens').get()).toEqual({ n: 0 });
  });
});
