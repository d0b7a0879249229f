import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './client';
import { onPostgres } from '../../scripts/postgres/test-backend/locations';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-db-'));
  dirs.push(dir);
  return dir;
}
const modeOf = (file: string) => statSync(file).mode & 0o777;

// SQLite's own files and settings: nothing to check when the suite runs on PostgreSQL.
describe.skipIf(onPostgres)('database files', () => {
  it('creates the database and its -wal and -shm readable by the owner only, whatever the umask', () => {
    const path = join(tempDir(), 'nested', 'steward.db');
    const previous = process.umask(0o022);
    try {
      const handle = openDatabase(path);
      // A write, so the WAL and its index certainly exist.
      handle.sqlite.exec('create table probe (x integer)');
      handle.sqlite.exec('insert into probe values (1)');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
      handle.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens files left world-readable by an older install', () => {
    const path = join(tempDir(), 'steward.db');
    openDatabase(path).close();
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      writeFileSync(file, '', { flag: 'a' });
      chmodSync(file, 0o644);
    }
    const handle = openDatabase(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
    handle.close();
  });
});

describe.skipIf(onPostgres)('connection settings', () => {
  it('keeps statement journals in memory, so a savepoint inside a write transaction creates no temporary file', () => {
    const handle = openDatabase(join(tempDir(), 'steward.db'));
    try {
      expect(handle.sqlite.pragma('temp_store', { simple: true })).toBe(2); // 2 = MEMORY
      expect(handle.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(handle.sqlite.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    } finally {
      handle.close();
    }
  });
});
