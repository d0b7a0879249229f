// A PostgreSQL connection with the part of better-sqlite3's interface Steward uses (prepare, run /
// get / all / raw, exec, transaction with savepoints, inTransaction, pragma, close), so that drizzle's
// better-sqlite3 driver, the repositories and the domain's synchronous transactions run unchanged.
//
// Concurrency is SQLite's, on purpose: every transaction that may write first takes one advisory
// lock (per schema, so per "database"), held until COMMIT or ROLLBACK. As under SQLite's BEGIN
// IMMEDIATE, a transaction that reads then writes (a budget check, then the reservation it allows)
// cannot interleave with another writer, in this instance or any other, and each of its statements
// (READ COMMITTED) sees everything committed before it. A write outside a transaction is run as its own
// one-statement transaction under the same lock, as SQLite's autocommit takes the write lock.
// docs/architecture.md ("PostgreSQL") says why this, and not row locks or SERIALIZABLE.
import { translateSql, type ParameterSource, type TranslatedSql } from './sqlite-dialect';
import { SyncPostgresConnection, type ConnectionLimits, type QueryAnswer } from './sync-client';

/** The writer's lock: one per schema, taken by every transaction that may write. */
const TAKE_WRITE_LOCK = 'SELECT pg_advisory_xact_lock(hashtext(current_schema()))';

const WRITES = /^\s*(?:WITH\b[\s\S]*?\b)?(?:INSERT|UPDATE|DELETE|REPLACE)\b/i;

function bind(parameters: readonly ParameterSource[], args: readonly unknown[]): unknown[] {
  const positional: unknown[] = [];
  let named: Record<string, unknown> | undefined;
  for (const arg of args) {
    if (Array.isArray(arg)) positional.push(...(arg as unknown[]));
    else if (arg !== null && typeof arg === 'object' && !(arg instanceof Uint8Array)) named = arg as Record<string, unknown>;
    else positional.push(arg);
  }
  return parameters.map((source) => {
    const value = 'name' in source ? named?.[source.name] : positional[source.position];
    if (value === undefined) throw new RangeError(`missing value for parameter ${'name' in source ? source.name : source.position + 1}`);
    return typeof value === 'bigint' ? value.toString() : value;
  });
}

export class PostgresStatement {
  private readonly translated: TranslatedSql;
  readonly reader: boolean;
  private readonly writes: boolean;

  constructor(
    private readonly database: PostgresDatabase,
    readonly source: string,
    private readonly rawRows = false,
  ) {
    this.translated = translateSql(source);
    this.writes = WRITES.test(source);
    this.reader = !this.writes || /\bRETURNING\b/i.test(source);
  }

  /** Rows as arrays in column order (drizzle maps selected fields this way). */
  raw(toggle = true): PostgresStatement {
    return toggle === this.rawRows ? this : new PostgresStatement(this.database, this.source, toggle);
  }

  private execute(args: readonly unknown[]): QueryAnswer {
    const values = bind(this.translated.parameters, args);
    return this.database.runStatement(this.translated.text, values, this.writes, this.rawRows);
  }

  run(...args: unknown[]): { changes: number; lastInsertRowid: number } {
    const { rowCount } = this.execute(args);
    const database = this.database;
    return {
      changes: rowCount,
      // Asked for only after inserts into tables with an identity column: the sequence's last value
      // in this session, read when wanted rather than after every statement.
      get lastInsertRowid(): number {
        return Number((database.runStatement('SELECT lastval() AS id', [], false, false).rows[0] as { id: number }).id);
      },
    };
  }

  get(...args: unknown[]): unknown {
    return this.execute(args).rows[0];
  }

  all(...args: unknown[]): unknown[] {
    return this.execute(args).rows;
  }
}

type TransactionFunction<A extends unknown[], R> = ((...args: A) => R) & {
  deferred: (...args: A) => R;
  immediate: (...args: A) => R;
  exclusive: (...args: A) => R;
  default: (...args: A) => R;
};

export class PostgresDatabase {
  private readonly connection: SyncPostgresConnection;
  private depth = 0;

  constructor(url: string, options: { schema?: string; limits?: ConnectionLimits } = {}) {
    this.connection = new SyncPostgresConnection(url, options.limits);
    if (options.schema !== undefined) this.query(`SET search_path TO "${options.schema.replaceAll('"', '""')}"`);
  }

  /** Every statement goes through here, saying whether a transaction is open (sync-client.ts: a lost connection). */
  private query(text: string, values?: readonly unknown[], options: { raw?: boolean } = {}): QueryAnswer {
    return this.connection.query(text, values, { ...options, inTransaction: this.depth > 0 });
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(source: string): PostgresStatement {
    return new PostgresStatement(this, source);
  }

  /** Several statements, no parameters (schema scripts). */
  exec(source: string): this {
    const { text } = translateSql(source);
    if (this.depth > 0) this.query(text);
    else this.transaction(() => this.query(text))();
    return this;
  }

  /** PostgreSQL's own SQL (migrations), sent as written: several statements, no parameters. */
  execUntranslated(source: string): void {
    this.query(source);
  }

  /** @internal one statement; a write outside a transaction becomes its own locked transaction. */
  runStatement(text: string, values: readonly unknown[], writes: boolean, raw: boolean): QueryAnswer {
    if (writes && this.depth === 0) return this.transaction(() => this.query(text, values, { raw }))();
    return this.query(text, values, { raw });
  }

  /**
   * better-sqlite3's pragmas that mean something here: foreign_keys OFF/ON (tests that write rows
   * without their parents) maps to session_replication_role, which skips foreign-key checks; the
   * rest (journal mode, synchronous, cache) are SQLite storage settings with no PostgreSQL meaning.
   */
  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const match = /^\s*foreign_keys\s*=\s*(\w+)\s*$/i.exec(source);
    if (match !== null) {
      const on = /^(on|1|true|yes)$/i.test(match[1] ?? '');
      this.query(`SET session_replication_role = ${on ? 'origin' : 'replica'}`);
    }
    return options.simple === true ? undefined : [];
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): TransactionFunction<A, R> {
    const run = (...args: A): R => (this.depth === 0 ? this.outermost(fn, args) : this.savepoint(fn, args));
    return Object.assign(run, { deferred: run, immediate: run, exclusive: run, default: run });
  }

  private outermost<A extends unknown[], R>(fn: (...args: A) => R, args: A): R {
    // BEGIN and the lock in one round trip (the simple protocol runs both). A lock wait that ends in an
    // error (lock_timeout) leaves the transaction BEGIN opened, aborted: it must not outlive the call.
    try {
      this.query(`BEGIN; ${TAKE_WRITE_LOCK}`);
    } catch (error) {
      this.rollBack('ROLLBACK');
      throw error;
    }
    this.depth = 1;
    try {
      const result = settled(fn(...args));
      this.query('COMMIT');
      return result;
    } catch (error) {
      this.rollBack('ROLLBACK');
      throw error;
    } finally {
      this.depth = 0;
    }
  }

  private savepoint<A extends unknown[], R>(fn: (...args: A) => R, args: A): R {
    const name = `steward_${this.depth}`;
    this.query(`SAVEPOINT ${name}`);
    this.depth += 1;
    try {
      const result = settled(fn(...args));
      this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      this.rollBack(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
      throw error;
    } finally {
      this.depth -= 1;
    }
  }

  /** The error that caused the rollback is the one worth reporting; a failed rollback only adds noise. */
  private rollBack(statement: string): void {
    try {
      this.query(statement);
    } catch {
      // The connection is gone: PostgreSQL rolls the transaction back itself.
    }
  }

  close(): void {
    this.connection.close();
  }
}

/** As better-sqlite3: a transaction is synchronous; a promise would commit before its work ran. */
function settled<R>(result: R): R {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new TypeError('Transaction function cannot return a promise');
  }
  return result;
}
