// What the writer-memory property tests share: two connections on one file, and the kinds of
// transaction a write can arrive in, each run the way the app would run it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openSqlite, type DatabaseHandle } from '../client';
import type { GroupCommit } from '../group-commit';

export type Where = 'alone' | 'batch' | 'batch, rolled back' | 'transaction' | 'transaction, rolled back' | 'other connection';
export const whereArb = fc.constantFrom<Where>('alone', 'batch', 'batch, rolled back', 'transaction', 'transaction, rolled back', 'other connection');

class RolledBack extends Error {}

/** The file's two connections: `handle` (whose memory is under test) and `other`, another process's stand-in. */
export function openTwoConnections(name: string): { handle: DatabaseHandle; other: DatabaseHandle; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), `steward-${name}-`));
  const handle = openSqlite(join(dir, 'memory.db'));
  const other = openSqlite(join(dir, 'memory.db'));
  return {
    handle,
    other,
    close() {
      handle.close();
      other.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `write` where it says: alone, in a group-commit batch or another transaction (`readInside`
 * then reads within it; the rolled-back kinds throw after it), or on the other connection.
 */
export async function writeIn(
  where: Where,
  on: { handle: DatabaseHandle; writer: GroupCommit },
  write: { here: () => void; there: () => void; readInside: () => void },
): Promise<void> {
  if (where === 'alone') return write.here();
  if (where === 'other connection') {
    write.there();
    // Reads outside a transaction in one synchronous run share one look at data_version (a snapshot
    // of the moment the run's first read looked): the next run sees the other's commit.
    await Promise.resolve();
    return;
  }
  const unit = () => {
    write.here();
    write.readInside();
    if (where.endsWith('rolled back')) throw new RolledBack();
    return null;
  };
  try {
    if (where.startsWith('batch')) await on.writer.submit(unit);
    else on.handle.sqlite.transaction(unit)();
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
}
