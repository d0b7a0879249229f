// Synchronous PostgreSQL queries. Steward's money paths are synchronous transactions (a budget check
// and the reservation it allows are one function that nothing else can interleave with, see
// docs/architecture.md); on PostgreSQL they stay so. A worker thread (sync-worker.mjs) owns the
// connections and runs each query with the `pg` client while this thread waits on an Atomics counter of
// answers, then takes the answer off the message port synchronously. The event loop is blocked for the round
// trip: the price of keeping every transaction a synchronous function, the same as SQLite's I/O.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

export interface QueryAnswer {
  rows: unknown[];
  rowCount: number;
}

/** A PostgreSQL error, with the SQLSTATE (`code`, e.g. 23505 for a unique violation) and details. */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly detail: string | null,
    readonly constraint: string | null,
  ) {
    super(message);
    this.name = 'PostgresError';
  }
}

type Answer = { seq: number } & ({ ok: true; value: unknown } | { ok: false; error: { message: string; code: string | null; detail: string | null; constraint: string | null } });

/** How long one request may take before the caller gives up (PostgreSQL ends a lock wait sooner: LOCK_TIMEOUT_MS). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The limits each connection runs with (sync-worker.mjs, `open`). */
export interface ConnectionLimits {
  /** A statement waiting longer than this for a lock (the writers' lock included) fails with 55P03. */
  lockTimeoutMs: number;
  /** A transaction idle this long belongs to a frozen instance: PostgreSQL ends its session and lock. */
  idleInTransactionMs: number;
  /** How long the caller waits for any one answer. */
  requestTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { lockTimeoutMs: 30_000, idleInTransactionMs: 15_000, requestTimeoutMs: REQUEST_TIMEOUT_MS };

class WorkerBridge {
  /** Answers so far: the worker bumps it after posting each one, and the caller waits on it. */
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private nextSeq = 1;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./sync-worker.mjs', import.meta.url), {
      workerData: { port: port2, signal: this.answered.buffer },
      transferList: [port2],
    });
    // Idle, the worker must not keep the process alive.
    this.worker.unref();
  }

  request(message: Record<string, unknown>, timeoutMs: number): unknown {
    const seq = this.nextSeq++;
    this.port.postMessage({ ...message, seq });
    const answer = this.awaitAnswer(seq, Date.now() + timeoutMs);
    if (answer === undefined) throw new PostgresError(`PostgreSQL did not answer within ${timeoutMs} ms`, null, null, null);
    if (!answer.ok) throw postgresError(answer.error, message.text);
    return answer.value;
  }

  /**
   * The answer numbered `seq`. An earlier request's answer that arrives after its caller gave up is
   * dropped here: taken for this one, it would answer every later statement with its predecessor's rows.
   */
  private awaitAnswer(seq: number, deadline: number): Answer | undefined {
    for (;;) {
      const seen = Atomics.load(this.answered, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        const answer = received.message as Answer;
        if (answer.seq === seq) return answer;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.answered, 0, seen, left) === 'timed-out') return undefined;
    }
  }
}

/**
 * Constraint violations read as SQLite words them first ("UNIQUE constraint failed"), then as
 * PostgreSQL does: the same refusal reads the same in logs and tests whichever database made it.
 */
const CONSTRAINT_WORDS: Record<string, string> = {
  '23505': 'UNIQUE constraint failed',
  '23514': 'CHECK constraint failed',
  '23503': 'FOREIGN KEY constraint failed',
  '23502': 'NOT NULL constraint failed',
};

function postgresError(error: { message: string; code: string | null; detail: string | null; constraint: string | null }, sql: unknown): PostgresError {
  const words = error.code === null ? undefined : CONSTRAINT_WORDS[error.code];
  // A statement PostgreSQL could not run names itself (its text holds no values: they are parameters).
  const statement = typeof sql === 'string' && words === undefined ? ` in: ${sql.replace(/\s+/g, ' ').slice(0, 300)}` : '';
  const message = words === undefined ? `${error.message}${statement}` : `${words}: ${error.constraint ?? ''} (${error.message})`;
  return new PostgresError(message, error.code, error.detail, error.constraint);
}

let bridge: WorkerBridge | undefined;
let nextConnection = 1;

/** One PostgreSQL connection, queried synchronously. */
export class SyncPostgresConnection {
  private readonly id = nextConnection++;
  private readonly bridge: WorkerBridge;
  private open = true;

  constructor(
    url: string,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {
    this.bridge = bridge ??= new WorkerBridge();
    const { lockTimeoutMs, idleInTransactionMs } = limits;
    this.bridge.request({ op: 'connect', connection: this.id, url, limits: { lockTimeoutMs, idleInTransactionMs } }, limits.requestTimeoutMs);
  }

  /**
   * `values` given: one statement with $1.. parameters, prepared once per connection (sync-worker.mjs);
   * none: the simple protocol (several statements allowed).
   * `inTransaction`: the caller has a transaction open on this connection. A connection that dropped is
   * opened again for the next statement, except inside a transaction, which went with it: that
   * statement fails (08006) rather than run, and commit, on its own.
   */
  query(text: string, values?: readonly unknown[], options: { raw?: boolean; inTransaction?: boolean } = {}): QueryAnswer {
    if (!this.open) throw new PostgresError('the database connection is closed', null, null, null);
    const message = { op: 'query', connection: this.id, text, values, raw: options.raw === true, inTransaction: options.inTransaction === true };
    return this.bridge.request(message, this.limits.requestTimeoutMs) as QueryAnswer;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.bridge.request({ op: 'end', connection: this.id }, this.limits.requestTimeoutMs);
  }
}
