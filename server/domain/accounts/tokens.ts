import { createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';

/** 32 random bytes, base64url: the session cookie value and other bearer secrets. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * Keyed hash for short secrets (recovery codes). Unlike a plain SHA-256, a copy of the database alone
 * is not enough to brute-force them: the key is derived from the secrets key, which lives elsewhere.
 */
export type KeyedHasher = (value: string) => string;
export function createKeyedHasher(secretsKey: Buffer, purpose: string): KeyedHasher {
  const key = Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), `steward:${purpose}`, 32));
  return (value) => createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

// No 0/o, 1/l/i: codes are read off paper and typed back.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** A recovery code in its canonical form (10 characters, no dash); shown to people as xxxxx-xxxxx. */
export function generateRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 10; i += 1) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code;
}

export function formatRecoveryCode(canonical: string): string {
  return `${canonical.slice(0, 5)}-${canonical.slice(5)}`;
}
