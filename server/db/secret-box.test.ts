import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, loadSecretsKey, SecretBoxError } from './secret-box';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'steward-secret-box-'));
  dirs.push(dir);
  return dir;
}

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));
  const nwc = 'nostr+walletconnect://abc?relay=ws://x&secret=' + 'f'.repeat(64);

  it('round-trips a value and never contains the plaintext', () => {
    const sealed = box.seal(nwc, 'wallet:u1');
    expect(sealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('walletconnect');
    expect(box.open(sealed, 'wallet:u1')).toBe(nwc);
  });

  it('uses a fresh IV each time, so equal secrets give different ciphertexts', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses a value moved to another row or purpose (associated data)', () => {
    const sealed = box.seal(nwc, 'wallet:u1');
    expect(() => box.open(sealed, 'wallet:u2')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'totp:u1')).toThrow(SecretBoxError);
  });

  it('refuses a tampered ciphertext, tag or a different key', () => {
    const sealed = box.seal('secret', 'c');
    const [v, iv, tag, ct] = sealed.split(':') as [string, string, string, string];
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join(':'), 'c')).toThrow(SecretBoxError);
    expect(() => box.open([v, iv, Buffer.alloc(16).toString('base64url'), ct].join(':'), 'c')).toThrow(SecretBoxError);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'c')).toThrow(SecretBoxError);
    expect(() => box.open('v2:a:b:c', 'c')).toThrow(/format/);
  });

  it('refuses a key of the wrong size', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(SecretBoxError);
  });
});

describe('loadSecretsKey', () => {
  it('uses the configured key', () => {
    const key = randomBytes(32);
    const loaded = loadSecretsKey({ configuredKeyBase64: key.toString('base64'), mode: 'live', keyPath: '/nonexistent/k' });
    expect(loaded.equals(key)).toBe(true);
  });

  it('refuses live mode without a configured key', () => {
    expect(() => loadSecretsKey({ configuredKeyBase64: undefined, mode: 'live', keyPath: join(tempDir(), 'k') })).toThrow(
      /required in live mode/,
    );
  });

  it('generates a 0600 key file in sandbox mode on first start and reuses it after', () => {
    const keyPath = join(tempDir(), 'nested', 'secrets.key');
    const first = loadSecretsKey({ configuredKeyBase64: undefined, mode: 'sandbox', keyPath });
    expect(first.length).toBe(32);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64').equals(first)).toBe(true);
    const second = loadSecretsKey({ configuredKeyBase64: undefined, mode: 'sandbox', keyPath });
    expect(second.equals(first)).toBe(true);
  });
});
