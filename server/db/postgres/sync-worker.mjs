// The PostgreSQL side of the synchronous driver (sync-client.ts): a worker thread that owns the
// connections and runs each request with the async `pg` client while the calling thread waits.
// Plain JavaScript so that Node can start it without a TypeScript loader (tests, tsx, builds).
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, signal } = workerData;
const flag = new Int32Array(signal);
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

function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function errorOf(error) {
  const { message, code, detail, constraint, table } = error ?? {};
  return { message: String(message ?? error), code: code ?? null, detail: detail ?? null, constraint: constraint ?? null, table: table ?? null };
}

async function open(url) {
  const client = new pg.Client({ connectionString: url, application_name: 'steward' });
  const connection = { url, client, lost: false };
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
      connections.set(request.connection, await open(request.url));
      return null;
    }
    case 'query': {
      let connection = connections.get(request.connection);
      if (!connection) throw new Error('the connection is closed');
      const reconnected = connection.lost;
      if (reconnected) {
        connection = await open(connection.url);
        connections.set(request.connection, connection);
        // The transaction the caller had open went with the old connection (PostgreSQL rolled it back):
        // running this statement on the new one, outside it, would commit it on its own.
        if (request.inTransaction) {
          throw Object.assign(new Error('the connection to PostgreSQL was lost inside a transaction, which PostgreSQL rolled back'), { code: '08006' });
        }
      }
      const query = { text: request.text, values: request.values, rowMode: request.raw ? 'array' : undefined };
      let result;
      try {
        result = await connection.client.query(query);
      } catch (error) {
        // The server ended the connection under this very statement. Outside a transaction nothing ran
        // (writes run inside one, see connection.ts), so it is sent once more on a new connection.
        const ended = connection.lost || error?.code === '57P01' || error?.code === '57P02' || error?.code === '57P03';
        if (!ended || request.inTransaction) throw error;
        connection = await open(connection.url);
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

// The caller blocks until each request is answered, so at most one is ever outstanding.
port.on('message', (request) => {
  handle(request).then(
    (value) => reply({ ok: true, value }),
    (error) => reply({ ok: false, error: errorOf(error) }),
  );
});
