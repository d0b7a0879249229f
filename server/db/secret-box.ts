import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encrypts secrets at rest (TOTP secrets, NWC connection strings, L402 tokens) with AES-256-GCM.
 *
 * Format: `v1:<iv>:<tag>:<ciphertext>`, each part base64url; a fresh random 12-byte IV per value.
 * The `context` string (e.g. `totp:<userId>`) is authenticated as associated data: a ciphertext copied
 * into another row, or used for another purpose, fails to open instead of silently decrypting.
 * The version prefix leaves room for key rotation without guessing what an old value is.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws SecretBoxError when the value was tampered with, moved, or sealed under another key. */
  open(sealed: string, context: string): string;
}

export class SecretBoxError extends Error {}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`secret key must be ${KEY_BYTES} bytes`);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, tag, ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
    },
    open(sealed, context) {
      const parts = sealed.split(':');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('unknown sealed value format');
      const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('malformed sealed value');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        // Never echo the value or the key; the caller only needs to know it cannot be trusted.
        throw new SecretBoxError('sealed value failed authentication');
      }
    },
  };
}

/**
 * The key from configuration (SECRETS_KEY, base64), or in sandbox mode one generated on first start into
 * `keyPath` with mode 0600 and reused afterwards. Live mode without a configured key is refused
 * (env.ts already stops earlier; this is the second line).
 */
export function loadSecretsKey(options: {
  configuredKeyBase64: string | undefined;
  mode: 'sandbox' | 'live';
  keyPath: string;
}): Buffer {
  if (options.configuredKeyBase64) return decodeKey(options.configuredKeyBase64, 'SECRETS_KEY');
  if (options.mode === 'live') throw new SecretBoxError('SECRETS_KEY is required in live mode');
  if (existsSync(options.keyPath)) {
    // Tighten permissions in case the file was copied around with a looser mode.
    chmodSync(options.keyPath, 0o600);
    return decodeKey(readFileSync(options.keyPath, 'utf8').trim(), options.keyPath);
  }
  mkdirSync(dirname(options.keyPath), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // 'wx' fails if another process created the file between the check and now, rather than overwrite it.
  writeFileSync(options.keyPath, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function decodeKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`${source} must hold base64 of exactly ${KEY_BYTES} bytes`);
  return key;
}
