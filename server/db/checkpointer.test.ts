import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer';
import { openSqlite } from './client';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A migrated database file, and 4 MB written in small commits (well below the writer's own checkpoint). */
function databaseWithCommittedPages() {
  const dir = mkdtempSync(join(tmpdir(), 'steward-checkpointer-'));
  dirs.push(dir);
  const path = join(dir, 'app.db');
  const handle = openSqlite(path);
  handle.sqlite.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = handle.sqlite.prepare('INSERT INTO filler (body) VALUES (?)');
  const before = statSync(path).size;
  for (let i = 0; i < 1_000; i += 1) insert.run('x'.repeat(4_000));
  return { path, handle, before };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('background checkpoints', () => {
  it('copy committed pages into the database file while the writer only appends to the WAL', async () => {
    const { path, handle, before } = databaseWithCommittedPages();
    // Without a checkpoint the pages are only in the WAL: the database file has not grown.
    expect(statSync(path).size).toBe(before);
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(path, { intervalMs: 20, onError: (error) => errors.push(error) });
    try {
      expect(await waitFor(() => statSync(path).size >= before + 4_000_000, 5_000)).toBe(true);
      // What was copied is what was committed: the writer's connection reads it all back.
      expect(handle.sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 1_000 });
    } finally {
      await checkpointer.stop();
      handle.close();
    }
    expect(errors).toEqual([]);
  });

  it('comes back every few milliseconds while commits keep arriving, however long its idle interval', async () => {
    const { path, handle, before } = databaseWithCommittedPages();
    const insert = handle.sqlite.prepare('INSERT INTO filler (body) VALUES (?)');
    // Only the worker copies pages here: the writer's own ceiling is off. And a minute between passes
    // while the WAL is still, so only the busy interval can have copied them within the 3 s.
    handle.sqlite.pragma('wal_autocheckpoint = 0');
    const checkpointer = startCheckpointer(path, { intervalMs: 60_000, busyIntervalMs: 10, onError: () => undefined });
    try {
      // A writer at work for up to 3 s: a commit, then a turn of the event loop, as the app's batches.
      let copied = false;
      for (const until = Date.now() + 3_000; !copied && Date.now() < until; ) {
        insert.run('y'.repeat(4_000));
        await new Promise((resolve) => setTimeout(resolve, 1));
        copied = statSync(path).size >= before + 4_000_000;
      }
      expect(copied).toBe(true);
    } finally {
      await checkpointer.stop();
      handle.close();
    }
  });

  it('stop runs a last checkpoint and ends the worker', async () => {
    const { path, handle, before } = databaseWithCommittedPages();
    const checkpointer = startCheckpointer(path, { intervalMs: 60_000, onError: () => undefined });
    await checkpointer.stop();
    expect(statSync(path).size).toBeGreaterThanOrEqual(before + 4_000_000);
    handle.close();
  });

  it('lets a process with nothing else to do finish stopping it, and exit 0', () => {
    const { path, handle } = databaseWithCommittedPages();
    handle.close();
    // The worker is unreferenced while it runs: stop must keep the process alive until it has exited.
    const script = join(dirname(path), 'stop.mjs');
    writeFileSync(script, `const { startCheckpointer } = await import(${JSON.stringify(new URL('./checkpointer.ts', import.meta.url).href)});
      await startCheckpointer(${JSON.stringify(path)}, { onError: (error) => { throw error; } }).stop();
      console.log('stopped');`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: 'stopped' });
  });

  it('reports a worker that cannot open the database', async () => {
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(join(tmpdir(), 'steward-no-such-dir', 'app.db'), { onError: (error) => errors.push(error) });
    await checkpointer.stop();
    expect(errors).toHaveLength(1);
  });
});
