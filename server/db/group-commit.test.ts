import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit';

describe('group commit', () => {
  let dir: string;
  let path: string;
  let writer: Database.Database;
  let reader: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'steward-group-commit-'));
    path = join(dir, 'test.db');
    writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    reader = new Database(path);
  });
  afterEach(() => {
    writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => () => Number(writer.prepare('INSERT INTO items (name) VALUES (?)').run(name).lastInsertRowid);
  const names = () => reader.prepare('SELECT name FROM items ORDER BY id').all().map((row) => (row as { name: string }).name);

  it('runs what arrives together in one transaction and reports each outcome only once it is committed', async () => {
    const group = createGroupCommit(writer);
    const seenByOthers: string[][] = [];
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        group.submit(() => {
          // Units of one batch share the transaction: each sees the ones before it.
          const before = writer.prepare('SELECT count(*) AS n FROM items').get() as { n: number };
          insert(name)();
          return before.n;
        }).then((count) => {
          seenByOthers.push(names()); // another connection: only committed rows are visible
          return count;
        }),
      ),
    );
    expect(outcomes).toEqual([0, 1, 2]);
    for (const seen of seenByOthers) expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the unit that throws; the rest of its batch commits', async () => {
    const group = createGroupCommit(writer);
    const results = await Promise.allSettled([
      group.submit(insert('a')),
      group.submit(() => {
        insert('b')();
        insert('a')(); // UNIQUE violation: this unit, and its 'b', must vanish
        return 0;
      }),
      group.submit(insert('c')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(names()).toEqual(['a', 'c']);
  });

  it('runs the rest of a batch again, without the unit that threw, and reports what committed', async () => {
    const group = createGroupCommit(writer);
    let runsOfA = 0;
    const results = await Promise.allSettled([
      group.submit(() => {
        runsOfA += 1;
        return insert('a')();
      }),
      group.submit(() => {
        insert('b')();
        throw new Error('refused');
      }),
      // Sees 'a' and never 'b': the thrower's writes are gone before anything after it runs.
      group.submit(() => (writer.prepare("SELECT count(*) AS n FROM items WHERE name = 'b'").get() as { n: number }).n),
    ]);
    expect(runsOfA).toBe(2);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('refused') },
      { status: 'fulfilled', value: 0 },
    ]);
    expect(names()).toEqual(['a']);
  });

  it('rejects every unit of a batch whose transaction cannot start, and writes nothing', async () => {
    writer.pragma('busy_timeout = 0');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    try {
      const group = createGroupCommit(writer);
      const results = await Promise.allSettled([group.submit(insert('a')), group.submit(insert('b'))]);
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(names()).toEqual([]);
  });

  it('splits a long queue into batches of at most maxBatch, all committed in order', async () => {
    const group = createGroupCommit(writer, { maxBatch: 4 });
    const all = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const ids = await Promise.all(all.map((name) => group.submit(insert(name))));
    expect(ids).toEqual(all.map((_, i) => i + 1));
    expect(names()).toEqual(all);
  });
});
