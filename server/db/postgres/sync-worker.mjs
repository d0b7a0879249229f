// The PostgreSQL side of the synchronous driver (sync-client.ts): a worker thread that owns the
// connections and runs each request with the async `pg` client while the calling thread waits.
// Plain JavaScript so that Node can start it without a TypeScript loader (tests, tsx, builds).
import { createHash } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, signal } = workerData;
const answered = new Int32Array(signal);
/** @type {Map<number, { url: string; client: pg.Client; lost: boolean }>} */
const connections = new Map();

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

// Statements with parameters are prepared once per connection under a name derived from their text,
// so PostgreSQL parses and plans each of the few dozen statements Steward runs once, not on every call
// (a decision runs about twenty). `pg` keeps the names a connection has prepared; a connection opened
// again starts afresh.
/** @type {Map<string, string>} */
const statementNames = new Map();
function statementName(text) {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `steward_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

// Each answer carries its request's number and bumps the counter the caller waits on.
function reply(message) {
  port.postMessage(message);
  Atomics.add(answered, 0, 1);
  Atomics.notify(answered, 0);
}

function errorOf(error) {
  const { message, code, detail, constraint, table } = error ?? {};
  return { message: String(message ?? error), code: code ?? null, detail: detail ?? null, constraint: constraint ?? null, table: table ?? null };
}

/**
 * `limits`: how long a statement may wait for a lock (the writers' lock included), and how long a
 * transaction may sit idle before PostgreSQL ends its session. Steward's transactions are synchronous and
 * never idle between statements, so an idle one belongs to a frozen or cut-off instance: ending it frees
 * the writers' lock for every other instance instead of stopping them all.
 */
async function open(url, limits) {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'steward',
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionMs,
  });
  const connection = { url, limits, client, lost: false };
  // A connection that drops (a server restart, a network cut) is opened again by the next request.
  client.on('error', () => {
    connection.lost = true;
  });
  client.on('end', () => {
    connection.lost = true;
  });
  await client.connect();
  return connection;
}

async function handle(request) {
  switch (request.op) {
    case 'connect': {
      connections.set(request.connection, await open(request.url, request.limits));
      return null;
    }
    case 'query': {
      let connection = connections.get(request.connection);
      if (!connection) throw new Error('the connection is closed');
      const reconnected = connection.lost;
      if (reconnected) {
        connection = await open(connection.url, connection.limits);
        connections.set(request.connection, connection);
        // The transaction the caller had open went with the old connection (PostgreSQL rolled it back):
        // running this statement on the new one, outside it, would commit it on its own.
        if (request.inTransaction) {
          throw Object.assign(new Error('the connection to PostgreSQL was lost inside a transaction, which PostgreSQL rolled back'), { code: '08006' });
        }
      }
      const query = {
        name: request.values === undefined ? undefined : statementName(request.text),
        text: request.text,
        values: request.values,
        rowMode: request.raw ? 'array' : undefined,
      };
      let result;
      try {
        result = await connection.client.query(query);
      } catch (error) {
        // The server ended the connection under this very statement. Outside a transaction nothing ran
        // (writes run inside one, see connection.ts), so it is sent once more on a new connection.
        const ended = connection.lost || error?.code === '57P01' || error?.code === '57P02' || error?.code === '57P03';
        if (!ended || request.inTransaction) throw error;
        connection = await open(connection.url, connection.limits);
        connections.set(request.connection, connection);
        result = await connection.client.query(query);
      }
      // A multi-statement simple query gives one result per statement: the last one is the answer.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    }
    case 'end': {
      const connection = connections.get(request.connection);
      connections.delete(request.connection);
      if (connection && !connection.lost) await connection.client.end();
      return null;
    }
    default:
      throw new Error(`unknown request ${request.op}`);
  }
}

// The caller blocks until each request is answered or it gives up waiting (then the late answer is
// told apart by its number and dropped).
port.on('message', (request) => {
  handle(request).then(
    (value) => reply({ seq: request.seq, ok: true, value }),
    (error) => reply({ seq: request.seq, ok: false, error: errorOf(error) }),
  );
});
