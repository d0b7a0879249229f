import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { foreignKeyOrder, parseChecks, postgresDefaultOf, readSqliteSchema } from './sqlite-schema';

function schemaOf(sql: string) {
  const sqlite = new Database(':memory:');
  sqlite.exec(sql);
  const schema = readSqliteSchema(sqlite);
  sqlite.close();
  return schema;
}

describe('reading SQLite schema', () => {
  it('reads rowid keys, composite keys, partial indexes, foreign keys and named checks', () => {
    const { tables } = schemaOf(`
      CREATE TABLE a (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, n integer DEFAULT false NOT NULL,
        CONSTRAINT "a_n" CHECK("a"."n" IN (0, 1)));
      CREATE TABLE b (x text NOT NULL, y integer NOT NULL, a_id integer REFERENCES a(id) ON DELETE CASCADE,
        PRIMARY KEY (x, y)) WITHOUT ROWID;
      CREATE INDEX b_y ON b (y, x) WHERE y > 0;`);
    const [a, b] = tables;
    expect(a).toMatchObject({ name: 'a', rowidKey: true, primaryKey: ['id'], checks: [{ name: 'a_n', expression: '"a"."n" IN (0, 1)' }] });
    expect(b).toMatchObject({
      name: 'b',
      rowidKey: false,
      primaryKey: ['x', 'y'],
      indexes: [{ name: 'b_y', unique: false, columns: ['y', 'x'], where: 'y > 0' }],
      foreignKeys: [{ columns: ['a_id'], table: 'a', references: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
    });
    expect(postgresDefaultOf('a', a!.columns[1]!)).toBe('0');
  });

  it('refuses an unnamed CHECK, which would have no name to keep in PostgreSQL', () => {
    expect(() => parseChecks('t', 'CREATE TABLE t (n integer, CHECK (n > 0))')).toThrow(/unnamed CHECK/);
  });

  it('refuses an expression default it cannot translate faithfully', () => {
    expect(() => postgresDefaultOf('t', { name: 'at', type: 'INTEGER', notNull: true, defaultSql: "(unixepoch('now'))" })).toThrow(/translate it by hand/);
  });

  it('orders tables after the tables they reference, and names a cycle', () => {
    const { tables } = schemaOf(`
      CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent(id), self_id integer REFERENCES child(id));
      CREATE TABLE parent (id integer PRIMARY KEY);`);
    expect(foreignKeyOrder(tables).map((t) => t.name)).toEqual(['parent', 'child']);
    const cycle = schemaOf(`
      CREATE TABLE p (id integer PRIMARY KEY, q_id integer REFERENCES q(id));
      CREATE TABLE q (id integer PRIMARY KEY, p_id integer REFERENCES p(id));`);
    expect(() => foreignKeyOrder(cycle.tables)).toThrow(/cycle/);
  });
});
