/**
 * One macaroon root key per provider. With a data dir the keys persist (mode 0600) so tokens sold
 * before a restart stay valid; without one they live in memory for the life of the process.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const KeyFile = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/));

export function loadRootKeys(providerIds: readonly string[], dataDir?: string): Map<string, Uint8Array> {
  const path = dataDir ? join(dataDir, 'market-root-keys.json') : null;
  const stored: Record<string, string> = path ? readKeyFile(path) : {};
  let changed = false;
  for (const id of providerIds) {
    if (!stored[id]) {
      stored[id] = randomBytes(32).toString('hex');
      changed = true;
    }
  }
  if (path && changed) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return new Map(providerIds.map((id) => [id, Buffer.from(stored[id] ?? '', 'hex')]));
}

function readKeyFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  // A corrupt key file is a bug or tampering: refuse to start rather than silently re-key.
  return KeyFile.parse(JSON.parse(text));
}
