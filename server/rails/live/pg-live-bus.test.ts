import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../../domain/ports/live-bus';
import { testDatabaseUrl } from '../../env';
import { postgresSuiteTitle } from '../../../scripts/postgres/test-database';
import { backoffMs, createPgLiveBus, MAX_PAYLOAD_BYTES, packEnvelopes, parseEnvelope, type PgLiveBus } from './pg-live-bus';

describe('live notifications on the wire', () => {
  it('reads only our envelope: JSON, a known kind, bounded ids', () => {
    const event: LiveEvent = { kind: 'task', userId: 'alice', id: 't1' };
    expect(parseEnvelope(JSON.stringify({ origin: 'a', events: [event] }))).toEqual({ ok: true, envelope: { origin: 'a', events: [event] } });
    expect(parseEnvelope('not json')).toEqual({ ok: false, reason: 'not_json' });
    expect(parseEnvelope(undefined)).toEqual({ ok: false, reason: 'not_json' });
    expect(parseEnvelope('{"origin":"a","events":[{"kind":"wallet","userId":"alice","id":"1"}]}')).toEqual({ ok: false, reason: 'invalid_shape' });
    expect(parseEnvelope('{"origin":"a","events":[]}')).toEqual({ ok: false, reason: 'invalid_shape' });
    expect(parseEnvelope('[1,2]')).toEqual({ ok: false, reason: 'invalid_shape' });
  });

  it('packs events in order into the fewest payloads NOTIFY accepts', () => {
    const events: LiveEvent[] = Array.from({ length: 120 }, (_, i) => ({ kind: 'alert', userId: 'u'.repeat(100), id: `${i}`.padStart(150, '0') }));
    const payloads = packEnvelopes('instance-a', events);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    const unpacked = payloads.flatMap((payload) => {
      const parsed = parseEnvelope(payload);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.envelope.events;
    });
    expect(unpacked).toEqual(events);
    expect(packEnvelopes('a', [])).toEqual([]);
  });

  it('backs off by doubling up to the ceiling, with jitter in the upper half', () => {
    const backoff = { initialMs: 100, maxMs: 1_000 };
    expect(backoffMs(0, backoff, () => 0)).toBe(50);
    expect(backoffMs(0, backoff, () => 1)).toBe(100);
    expect(backoffMs(3, backoff, () => 1)).toBe(800);
    expect(backoffMs(4, backoff, () => 1)).toBe(1_000);
    expect(backoffMs(500, backoff, () => 0.5)).toBe(750);
  });
});

describe('the PostgreSQL live bus without a server', () => {
  it('still tells this process at once, keeps retrying with backoff, and stops retrying when closed', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    // Nothing listens on port 1: every attempt is refused at once.
    const bus = createPgLiveBus({ connectionString: 'postgres://steward@127.0.0.1:1/steward', logger, backoff: { initialMs: 10, maxMs: 40 } });
    const heard: string[] = [];
    bus.subscribe('alert', 'alice', (id) => heard.push(id));
    bus.publish({ kind: 'alert', userId: 'alice', id: '1' });
    expect(heard).toEqual(['1']);
    const retries = () => logger.warn.mock.calls.filter(([, message]) => message === 'live bus connection lost; reconnecting');
    await vi.waitFor(() => expect(retries().length).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    expect(retries().map(([fields]) => (fields as { attempt: number }).attempt).slice(0, 3)).toEqual([1, 2, 3]);
    await bus.close();
    const after = retries().length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(retries().length).toBe(after);
  });
});

const databaseUrl = testDatabaseUrl();

describe.skipIf(databaseUrl === null)(postgresSuiteTitle('the PostgreSQL live bus'), () => {
  const url = databaseUrl ?? '';
  const opened: PgLiveBus[] = [];
  const clients: pg.Client[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
    await Promise.all(clients.splice(0).map((client) => client.end()));
  });

  /** Each test on its own channel, so runs sharing a server never hear each other. */
  function instances(count: number) {
    const channel = `steward_live_test_${randomUUID().replaceAll('-', '')}`;
    const loggers = Array.from({ length: count }, () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }));
    const buses = loggers.map((logger) => createPgLiveBus({ connectionString: url, logger, channel, backoff: { initialMs: 20, maxMs: 200 } }));
    opened.push(...buses);
    return { channel, buses, loggers };
  }

  async function sqlClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  }

  function recorder(bus: PgLiveBus, event: Pick<LiveEvent, 'kind' | 'userId'>) {
    const heard: string[] = [];
    bus.subscribe(event.kind, event.userId, (id) => heard.push(id));
    return heard;
  }

  async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  it('tells an event published on one instance to the other once, and to its own listeners once, at once', async () => {
    const { buses } = instances(2);
    const [a, b] = buses as [PgLiveBus, PgLiveBus];
    await Promise.all([a.listening(), b.listening()]);
    const onA = recorder(a, { kind: 'task', userId: 'alice' });
    const onB = recorder(b, { kind: 'task', userId: 'alice' });
    const bobOnB = recorder(b, { kind: 'task', userId: 'bob' });
    const alertsOnB = recorder(b, { kind: 'alert', userId: 'alice' });

    a.publish({ kind: 'task', userId: 'alice', id: 't1' });
    expect(onA).toEqual(['t1']);
    await until(() => onB.length > 0, 'the other instance');
    b.publish({ kind: 'task', userId: 'alice', id: 't2' });
    await until(() => onA.length > 1, 'the reply');
    await settle();
    // Neither instance hears its own event a second time when PostgreSQL echoes it back.
    expect(onA).toEqual(['t1', 't2']);
    expect(onB).toEqual(['t1', 't2']);
    expect(bobOnB).toEqual([]);
    expect(alertsOnB).toEqual([]);
  });

  it('ignores and logs malformed notifications, and keeps delivering', async () => {
    const { channel, buses, loggers } = instances(2);
    const [a, b] = buses as [PgLiveBus, PgLiveBus];
    await Promise.all([a.listening(), b.listening()]);
    const onB = recorder(b, { kind: 'dispute', userId: 'alice' });
    const sql = await sqlClient();
    await sql.query('SELECT pg_notify($1, $2)', [channel, 'not json']);
    await sql.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ origin: 'elsewhere', events: [{ kind: 'wallet', userId: 'alice', id: 'd0' }] })]);
    await sql.query('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ origin: 'elsewhere', events: [{ kind: 'dispute', userId: 'alice', id: 'x'.repeat(300) }] })]);
    a.publish({ kind: 'dispute', userId: 'alice', id: 'd1' });

    await until(() => onB.length > 0, 'the valid event');
    expect(onB).toEqual(['d1']);
    const warnings = loggers[1]?.warn.mock.calls.filter(([, message]) => message === 'ignored a malformed live notification') ?? [];
    expect(warnings.map(([fields]) => (fields as { reason: string }).reason)).toEqual(['not_json', 'invalid_shape', 'invalid_shape']);
  });

  it('reconnects after its connection is dropped and keeps delivering both ways, sending what waited meanwhile', async () => {
    const { buses, loggers } = instances(2);
    const [a, b] = buses as [PgLiveBus, PgLiveBus];
    await Promise.all([a.listening(), b.listening()]);
    const onA = recorder(a, { kind: 'approval', userId: 'alice' });
    const onB = recorder(b, { kind: 'approval', userId: 'alice' });
    const sql = await sqlClient();
    const backendOf = async (bus: PgLiveBus): Promise<number | null> => {
      const found = await sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [`steward-live:${bus.instanceId}`]);
      return found.rows[0]?.pid ?? null;
    };
    const dropped = async (bus: PgLiveBus): Promise<number> => {
      const pid = await backendOf(bus);
      if (pid === null) throw new Error('no backend for the bus');
      await sql.query('SELECT pg_terminate_backend($1)', [pid]);
      return pid;
    };

    const oldB = await dropped(b);
    await until(async () => ![null, oldB].includes(await backendOf(b)), 'b to reconnect');
    await b.listening();
    a.publish({ kind: 'approval', userId: 'alice', id: 'after-b-dropped' });
    await until(() => onB.includes('after-b-dropped'), 'delivery to the reconnected instance');

    // Published while its own connection is down: kept, and sent once it is back.
    const oldA = await dropped(a);
    a.publish({ kind: 'approval', userId: 'alice', id: 'while-a-down' });
    await until(() => onB.includes('while-a-down'), 'the event that waited');
    expect(await backendOf(a)).not.toBe(oldA);
    b.publish({ kind: 'approval', userId: 'alice', id: 'to-a' });
    await until(() => onA.includes('to-a'), 'delivery back to the reconnected instance');
    await settle();

    expect(onB).toEqual(['after-b-dropped', 'while-a-down', 'to-a']);
    expect(onA).toEqual(['after-b-dropped', 'while-a-down', 'to-a']);
    for (const logger of loggers) {
      expect(logger.warn.mock.calls.some(([, message]) => message === 'live bus connection lost; reconnecting')).toBe(true);
      expect(logger.info.mock.calls.some(([, message]) => message === 'live bus reconnected')).toBe(true);
    }
  });

  it('stops listening when closed', async () => {
    const { buses } = instances(2);
    const [a, b] = buses as [PgLiveBus, PgLiveBus];
    await Promise.all([a.listening(), b.listening()]);
    const onB = recorder(b, { kind: 'task', userId: 'alice' });
    await b.close();
    a.publish({ kind: 'task', userId: 'alice', id: 't1' });
    await settle();
    expect(onB).toEqual([]);
  });
});
