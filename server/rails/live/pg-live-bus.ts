/**
 * The live bus across Steward instances sharing one PostgreSQL database (server/domain/ports/live-bus.ts),
 * over LISTEN/NOTIFY on one dedicated connection per instance.
 *
 * - An event raised here is told to this process's listeners at once, through the local bus, and sent
 *   to the others with this instance's id; the copy PostgreSQL echoes back to us is dropped, so a local
 *   listener hears it once.
 * - Sending waits for the next turn of the event loop: a publish made inside a synchronous transaction
 *   goes out after that transaction has committed, so another instance that reads on hearing it finds
 *   the change. Events of one turn share one round trip, packed into payloads under NOTIFY's 8000 bytes.
 * - Another instance is a boundary: every payload is validated on receipt, and a malformed one is
 *   logged and ignored.
 * - A lost connection is reopened with exponential backoff. Events published meanwhile wait (a bounded
 *   number) and go out once it is back; what other instances sent while we were away is lost, as LISTEN
 *   keeps nothing, so live streams show it at the next change or when the browser refetches.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { createLocalLiveBus, liveEventSchema, type LiveBus, type LiveEvent } from '../../domain/ports/live-bus';
import type { Logger } from '../../logger';

export const DEFAULT_LIVE_CHANNEL = 'steward_live';
/** NOTIFY refuses payloads of 8000 bytes or more; this leaves room to spare. */
export const MAX_PAYLOAD_BYTES = 7_500;
const MAX_WAITING_EVENTS = 10_000;
const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 15_000 };

const envelopeSchema = z.object({
  origin: z.string().min(1).max(64),
  events: z.array(liveEventSchema).min(1).max(1_000),
});
export type LiveEnvelope = z.infer<typeof envelopeSchema>;

export type ParsedEnvelope = { ok: true; envelope: LiveEnvelope } | { ok: false; reason: 'not_json' | 'invalid_shape' };

/** A NOTIFY payload read as our envelope, or why not. */
export function parseEnvelope(payload: string | undefined): ParsedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(payload ?? '');
  } catch {
    return { ok: false, reason: 'not_json' };
  }
  const parsed = envelopeSchema.safeParse(json);
  return parsed.success ? { ok: true, envelope: parsed.data } : { ok: false, reason: 'invalid_shape' };
}

/** Events as the fewest payloads under MAX_PAYLOAD_BYTES, in order. */
export function packEnvelopes(origin: string, events: readonly LiveEvent[]): string[] {
  const payloads: string[] = [];
  let batch: LiveEvent[] = [];
  const encode = (list: LiveEvent[]) => JSON.stringify({ origin, events: list } satisfies LiveEnvelope);
  for (const event of events) {
    const candidate = [...batch, event];
    if (batch.length > 0 && Buffer.byteLength(encode(candidate)) > MAX_PAYLOAD_BYTES) {
      payloads.push(encode(batch));
      batch = [event];
    } else {
      batch = candidate;
    }
  }
  if (batch.length > 0) payloads.push(encode(batch));
  return payloads;
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from initialMs up to maxMs, with jitter so instances do not stampede. */
export function backoffMs(attempt: number, backoff: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + (base / 2) * random());
}

export interface PgLiveBusOptions {
  connectionString: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The NOTIFY channel (a plain lower-case identifier); every instance of one deployment uses the same. */
  channel?: string;
  backoff?: { initialMs: number; maxMs: number };
  onListenerError?: (error: unknown, event: LiveEvent) => void;
}

export interface PgLiveBus extends LiveBus {
  /** This instance's id on the wire (and in its connection's application_name, `steward-live:<id>`). */
  readonly instanceId: string;
}

export function createPgLiveBus(options: PgLiveBusOptions): PgLiveBus {
  const channel = options.channel ?? DEFAULT_LIVE_CHANNEL;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`live bus channel ${channel} is not a plain identifier`);
  const { logger } = options;
  const origin = randomUUID();
  const local = createLocalLiveBus(options.onListenerError ? { onListenerError: options.onListenerError } : {});
  const outbox: LiveEvent[] = [];
  let closed = false;
  let flushQueued = false;
  let sending = false;
  let dropping = false;

  function receive(message: pg.Notification): void {
    if (message.channel !== channel) return;
    const parsed = parseEnvelope(message.payload);
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason, bytes: Buffer.byteLength(message.payload ?? '') }, 'ignored a malformed live notification');
      return;
    }
    // Ours came back from PostgreSQL: it was told here when it was published.
    if (parsed.envelope.origin === origin) return;
    for (const event of parsed.envelope.events) local.publish(event);
  }

  const connection = keepListening({
    connectionString: options.connectionString,
    channel,
    applicationName: `steward-live:${origin}`,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    logger,
    onNotification: receive,
    onOpen: () => void flush(),
  });

  async function flush(): Promise<void> {
    flushQueued = false;
    const sender = connection.client();
    if (sending || !sender || outbox.length === 0) return;
    sending = true;
    const events = outbox.splice(0);
    try {
      await sender.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [channel, packEnvelopes(origin, events)]);
      dropping = false;
    } catch (err) {
      // Kept for the next connection; a send that did reach PostgreSQL before failing is told twice,
      // which listeners (they read state by id) take as one more look.
      outbox.unshift(...events);
      logger.warn({ err, events: events.length }, 'sending live events failed; they wait for the connection');
    } finally {
      sending = false;
    }
    if (outbox.length > 0 && connection.client()) queueFlush();
  }

  function queueFlush(): void {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => void flush());
  }

  return {
    instanceId: origin,
    publish(event) {
      local.publish(event);
      if (closed) return;
      outbox.push(event);
      if (outbox.length > MAX_WAITING_EVENTS) {
        outbox.splice(0, outbox.length - MAX_WAITING_EVENTS);
        if (!dropping) logger.warn({ kept: MAX_WAITING_EVENTS }, 'too many live events waiting for the connection; dropping the oldest');
        dropping = true;
      }
      queueFlush();
    },
    subscribe: (kind, userId, listener) => local.subscribe(kind, userId, listener),
    listening: () => connection.listening(),
    async close() {
      closed = true;
      // What this instance raised last still reaches the others when the connection allows.
      await flush();
      await connection.close();
    },
  };
}

interface ListenerConfig {
  connectionString: string;
  channel: string;
  applicationName: string;
  backoff: { initialMs: number; maxMs: number };
  logger: PgLiveBusOptions['logger'];
  onNotification: (message: pg.Notification) => void;
  /** Called each time the connection is open and listening (first and after every loss). */
  onOpen: () => void;
}

/** One connection LISTENing on the channel, reopened with backoff whenever it is lost, until closed. */
function keepListening(config: ListenerConfig) {
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let ready = deferred();

  async function connect(): Promise<void> {
    if (closed) return;
    const candidate = new pg.Client({ connectionString: config.connectionString, application_name: config.applicationName });
    let lost = false;
    const lose = (err: unknown) => {
      if (lost) return;
      lost = true;
      if (client === candidate) client = null;
      candidate.removeAllListeners('notification');
      candidate.end().catch(() => undefined);
      scheduleReconnect(err);
    };
    candidate.on('error', lose);
    candidate.on('end', () => lose(new Error('connection ended')));
    candidate.on('notification', config.onNotification);
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${candidate.escapeIdentifier(config.channel)}`);
    } catch (err) {
      lose(err);
      return;
    }
    if (lost) return;
    if (closed) return void candidate.end().catch(() => undefined);
    if (attempt > 0) config.logger.info({ attempts: attempt }, 'live bus reconnected');
    attempt = 0;
    client = candidate;
    ready.resolve();
    config.onOpen();
  }

  function scheduleReconnect(err: unknown): void {
    if (closed) return;
    if (ready.settled) ready = deferred();
    const delayMs = backoffMs(attempt, config.backoff);
    attempt += 1;
    config.logger.warn({ err, attempt, retryInMs: delayMs }, 'live bus connection lost; reconnecting');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), delayMs);
  }

  void connect();
  return {
    /** The open connection, or null while it is being reopened. */
    client: () => client,
    listening: () => ready.promise,
    async close(): Promise<void> {
      closed = true;
      clearTimeout(retryTimer);
      const open = client;
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; settled: boolean } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const handle = {
    promise,
    settled: false,
    resolve: () => {
      handle.settled = true;
      resolve();
    },
  };
  return handle;
}
