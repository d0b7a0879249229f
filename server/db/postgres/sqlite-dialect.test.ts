import { describe, expect, it } from 'vitest';
import { translateSql } from './sqlite-dialect';

const pg = (sql: string) => translateSql(sql).text;

describe('SQLite to PostgreSQL translation', () => {
  it('numbers positional and named placeholders, reusing a name, and leaves string literals and comments alone', () => {
    const translated = translateSql("SELECT * FROM t WHERE a = ? AND b = @b AND c = :c AND d = $d AND e = @b AND f = 'x ? @y' -- z ?");
    expect(translated.text).toBe("SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 AND d = $4 AND e = $2 AND f = 'x ? @y' -- z ?");
    expect(translated.parameters).toEqual([{ position: 0 }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
  });

  it('keeps a cast, which looks like a named placeholder', () => {
    expect(pg("SELECT (metadata_json::jsonb ->> 'k') FROM t WHERE x = :x")).toBe("SELECT (metadata_json::jsonb ->> 'k') FROM t WHERE x = $1");
  });

  it('spells SQLite-only forms the PostgreSQL way', () => {
    expect(pg('SELECT max(a, ?), min(a, b, c), max(a), min(coalesce(a, 0)) FROM t')).toBe('SELECT GREATEST(a, $1), LEAST(a, b, c), max(a), min(coalesce(a, 0)) FROM t');
    expect(pg("SELECT 1 FROM t WHERE name LIKE ? AND kind IS NOT 'reserve' AND k IS ? AND x IS NOT NULL AND y IS NULL")).toBe(
      "SELECT 1 FROM t WHERE name ILIKE $1 AND kind IS DISTINCT FROM 'reserve' AND k IS NOT DISTINCT FROM $2 AND x IS NOT NULL AND y IS NULL",
    );
    expect(pg("SELECT 1 FROM t WHERE json_extract(metadata_json, '$.paymentHash') = ?")).toBe("SELECT 1 FROM t WHERE (metadata_json::jsonb ->> 'paymentHash') = $1");
    expect(pg('SELECT CAST(x AS INTEGER), CAST(y AS REAL), total AS totalMsat, total AS plain FROM t')).toBe(
      'SELECT CAST(x AS BIGINT), CAST(y AS DOUBLE PRECISION), total AS "totalMsat", total AS plain FROM t',
    );
  });

  it('turns INSERT OR IGNORE into ON CONFLICT DO NOTHING, before any RETURNING', () => {
    expect(pg('INSERT OR IGNORE INTO t (a) VALUES (?)')).toBe('INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING');
    expect(pg('INSERT OR IGNORE INTO t (a) VALUES (?) RETURNING id')).toBe('INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id');
  });

  it("unqualifies drizzle's conflict target and gives a column without a value its DEFAULT (the next identity)", () => {
    expect(pg('insert into "t" ("id", "a", "b") values (null, ?, coalesce(null, ?)), (null, ?, null) on conflict ("t"."a") do update set "b" = null')).toBe(
      'insert into "t" ("id", "a", "b") values (DEFAULT, $1, coalesce(null, $2)), (DEFAULT, $3, DEFAULT) on conflict ("a") do update set "b" = null',
    );
  });

  it('quotes backtick identifiers with double quotes', () => {
    expect(pg('CREATE TABLE `a "b"` (`id` integer)')).toBe('CREATE TABLE "a ""b""" ("id" integer)');
  });
});
