// The PostgreSQL side of the synchronous driver (sync-client.ts): a worker thread that owns the
// connections and runs each request with the async `pg` client while the calling thread waits.
// Plain JavaScript so that Node can start it without a TypeScript loader (tests, tsx, builds).
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, signal } = workerData;
const flag = new Int32Array(signal);
/** @type {Map<number, pg.Client>} */
const clients = new Map();

// SQLite hands integers back as numbers and truth values as 0/1; so must PostgreSQL here, for the
// same repository code to read both. 64-bit integers and sums beyond 2^53 would be a silent loss, so
// they fail loudly instead.
function safeNumber(text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) && Number.isInteger(value)) throw new Error(`integer ${text} is beyond 2^53`);
  return value;
}
const INT8 = 20;
const NUMERIC = 1700;
const BOOL = 16;
pg.types.setTypeParser(INT8, safeNumber);
pg.types.setTypeParser(NUMERIC, safeNumber);
pg.types.setTypeParser(BOOL, (text) => (text === 't' ? 1 : 0));

function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function errorOf(error) {
  const { message, code, detail, constraint, table } = error ?? {};
  return { message: String(message ?? error), code: code ?? null, detail: detail ?? null, constraint: constraint ?? null, table: table ?? null };
}

async function handle(request) {
  switch (request.op) {
    case 'connect': {
      const client = new pg.Client({ connectionString: request.url, application_name: 'steward' });
      // A connection that drops is reported on the next request, not as an unhandled error here.
      client.on('error', () => {});
      await client.connect();
      clients.set(request.connection, client);
      return null;
    }
    case 'query': {
      const client = clients.get(request.connection);
      if (!client) throw new Error('the connection is closed');
      const result = await client.query({ text: request.text, values: request.values, rowMode: request.raw ? 'array' : undefined });
      // A multi-statement simple query gives one result per statement: the last one is the answer.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    }
    case 'end': {
      const client = clients.get(request.connection);
      clients.delete(request.connection);
      await client?.end();
      return null;
    }
    default:
      throw new Error(`unknown request ${request.op}`);
  }
}

// The caller blocks until each request is answered, so at most one is ever outstanding.
port.on('message', (request) => {
  handle(request).then(
    (value) => reply({ ok: true, value }),
    (error) => reply({ ok: false, error: errorOf(error) }),
  );
});
