// Live streams end with their session, through a real HTTP server: tRPC's httpSubscriptionLink over
// SSE (the `eventsource` package), the session cookie and the CSRF header, as the browser uses them.
// A stream opened before "sign out everywhere", a sign-out or the session's expiry must stop
// delivering the person's tasks and alerts and close with UNAUTHORIZED.
import { TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS } from '../domain/accounts/sessions';
import { insertDisputeUnderReview } from '../domain/disputes/test-support';
import type { AppRouter } from './router';
import { createApiHarness, TEST_PASSWORD } from './test-harness';
import { httpClientFor, listenForTest } from './http-test-client';

// Short, so the expiry test does not wait a minute for the re-check.
const RECHECK_MS = 50;
let h: ReturnType<typeof createApiHarness>;
let app: FastifyInstance;
let baseUrl: string;
const stops: (() => void)[] = [];

beforeAll(async () => {
  h = createApiHarness({ sessionRecheckMs: RECHECK_MS });
  ({ app, baseUrl } = await listenForTest(h.deps));
});
afterAll(async () => {
  stops.forEach((stop) => stop());
  await app.close();
  h.database.close();
});

const clientFor = (token: string | null) => httpClientFor(baseUrl, token);

interface Stream {
  /** Ids of what arrived: task ids on the tasks stream, alert ids on the alerts stream. */
  received: string[];
  /** Resolves with the error the stream closed with. */
  closed: Promise<unknown>;
  /** Resolves when the next event arrives. */
  next(): Promise<void>;
}

/** Opens both streams as the holder of `token`; resolves once both are connected. */
async function openStreams(token: string): Promise<{ tasks: Stream; alerts: Stream }> {
  const client = clientFor(token);
  const open = (subscribe: (handlers: Handlers) => { unsubscribe(): void }): Promise<Stream> => {
    const received: string[] = [];
    const waiters: (() => void)[] = [];
    let close: (error: unknown) => void = () => undefined;
    const closed = new Promise<unknown>((resolve) => (close = resolve));
    return new Promise((started) => {
      const stream: Stream = { received, closed, next: () => new Promise((resolve) => waiters.push(resolve)) };
      const subscription = subscribe({
        onStarted: () => started(stream),
        onData: (id) => {
          received.push(id);
          waiters.shift()?.();
        },
        onError: close,
        onComplete: () => close('completed without an error'),
      });
      stops.push(() => subscription.unsubscribe());
    });
  };
  const [tasks, alerts] = await Promise.all([
    open((on) => client.tasks.onUpdate.subscribe({}, { ...on, onData: (event) => on.onData(event.data.id) })),
    open((on) => client.alerts.onAlert.subscribe(undefined, { ...on, onData: (event) => on.onData(String(event.data.id)) })),
  ]);
  return { tasks, alerts };
}
interface Handlers {
  onStarted(): void;
  onData(id: string): void;
  onError(error: unknown): void;
  onComplete(): void;
}

function notifyAlert(userId: string) {
  return String(h.deps.alerts.notify(userId, { kind: 'payment_failed', title: 'A payment failed', body: 'Nothing was spent.', severity: 'critical' }).id);
}

/** Both streams still deliver: a task and an alert of the person arrive. */
async function expectLive(streams: { tasks: Stream; alerts: Stream }, token: string, userId: string) {
  const taskArrived = streams.tasks.next();
  const task = await clientFor(token).tasks.submit.mutate({ text: 'Tell me a joke' });
  await taskArrived;
  expect(streams.tasks.received).toContain(task.id);
  const alertArrived = streams.alerts.next();
  const alertId = notifyAlert(userId);
  await alertArrived;
  expect(streams.alerts.received).toContain(alertId);
}

async function expectClosedUnauthorized(stream: Stream) {
  const error = await stream.closed;
  expect(error).toBeInstanceOf(TRPCClientError);
  expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
}

/** What the person does next, in a new session, never reaches the old streams. */
async function expectNothingMore(streams: { tasks: Stream; alerts: Stream }, email: string, userId: string) {
  const before = { tasks: [...streams.tasks.received], alerts: [...streams.alerts.received] };
  const { caller, jar } = h.callerFor(null);
  await caller.auth.signIn({ email, password: TEST_PASSWORD });
  if (!jar.token) throw new Error('sign-in set no cookie');
  await clientFor(jar.token).tasks.submit.mutate({ text: 'What is the bitcoin price?' });
  notifyAlert(userId);
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(streams.tasks.received).toEqual(before.tasks);
  expect(streams.alerts.received).toEqual(before.alerts);
}

describe('live streams end with their session', () => {
  it('"sign out everywhere" closes the streams every session had open', async () => {
    const alice = await h.signUp('everywhere@example.com');
    const other = await h.signUp('other@example.com');
    const streams = await openStreams(alice.token);
    const othersStreams = await openStreams(other.token);
    await expectLive(streams, alice.token, alice.user.id);

    // From another of alice's sessions, as on a second device.
    const { caller, jar } = h.callerFor(null);
    await caller.auth.signIn({ email: alice.user.email, password: TEST_PASSWORD });
    await clientFor(jar.token ?? '').security.signOutEverywhere.mutate();

    await expectClosedUnauthorized(streams.tasks);
    await expectClosedUnauthorized(streams.alerts);
    await expectNothingMore(streams, alice.user.email, alice.user.id);
    // Someone else's streams are untouched.
    await expectLive(othersStreams, other.token, other.user.id);
  });

  it('signing out closes that session\'s streams', async () => {
    const bea = await h.signUp('signout@example.com');
    const streams = await openStreams(bea.token);
    await expectLive(streams, bea.token, bea.user.id);

    await clientFor(bea.token).auth.signOut.mutate();

    await expectClosedUnauthorized(streams.tasks);
    await expectClosedUnauthorized(streams.alerts);
    await expectNothingMore(streams, bea.user.email, bea.user.id);
  });

  it('revoking one session from the Security page closes its streams', async () => {
    const cy = await h.signUp('revoke@example.com');
    const streams = await openStreams(cy.token);
    const { caller, jar } = h.callerFor(null);
    await caller.auth.signIn({ email: cy.user.email, password: TEST_PASSWORD });
    const second = clientFor(jar.token ?? '');
    const target = (await second.security.sessions.query()).find((s) => !s.current);
    await second.security.revokeSession.mutate({ sessionId: target?.id ?? '' });

    await expectClosedUnauthorized(streams.tasks);
    await expectClosedUnauthorized(streams.alerts);
  });

  it('a session that expires (idle too long) closes its streams within the re-check', async () => {
    const dee = await h.signUp('expiry@example.com');
    const streams = await openStreams(dee.token);
    await expectLive(streams, dee.token, dee.user.id);

    h.clock.advance(SESSION_IDLE_MS + 1);

    await expectClosedUnauthorized(streams.tasks);
    await expectClosedUnauthorized(streams.alerts);
    await expectNothingMore(streams, dee.user.email, dee.user.id);
  });
});

describe('the Disputes page\'s live stream', () => {
  let seq = 0;
  /** A dispute of the person's under review, rejected by an operator: one change on their stream. */
  function decideADispute(userId: string): string {
    seq += 1;
    const id = insertDisputeUnderReview(h.database.db, { id: `live-dispute-${seq}`, userId, stepId: `s-${seq}` });
    const decided = h.deps.disputes.decide('an-operator', id, { kind: 'reject', note: 'The answer was fine.' });
    if (!decided.ok) throw new Error(decided.reason);
    return id;
  }

  async function openDisputeStream(token: string): Promise<Stream> {
    const received: string[] = [];
    const waiters: (() => void)[] = [];
    let close: (error: unknown) => void = () => undefined;
    const closed = new Promise<unknown>((resolve) => (close = resolve));
    return new Promise((started) => {
      const subscription = clientFor(token).disputes.onChange.subscribe(undefined, {
        onStarted: () => started({ received, closed, next: () => new Promise((resolve) => waiters.push(resolve)) }),
        onData: (event) => {
          received.push(`${event.data.id}:${event.data.status}`);
          waiters.shift()?.();
        },
        onError: close,
        onComplete: () => close('completed without an error'),
      });
      stops.push(() => subscription.unsubscribe());
    });
  }

  it('delivers each change of the person\'s own disputes, and ends when the session is revoked', async () => {
    const eve = await h.signUp('disputes-live@example.com');
    const other = await h.signUp('disputes-other@example.com');
    const stream = await openDisputeStream(eve.token);

    const arrived = stream.next();
    const id = decideADispute(eve.user.id);
    await arrived;
    expect(stream.received).toEqual([`${id}:rejected`]);
    // Someone else's dispute never reaches it.
    decideADispute(other.user.id);

    const { caller, jar } = h.callerFor(null);
    await caller.auth.signIn({ email: eve.user.email, password: TEST_PASSWORD });
    await clientFor(jar.token ?? '').security.signOutEverywhere.mutate();
    await expectClosedUnauthorized(stream);

    decideADispute(eve.user.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(stream.received).toEqual([`${id}:rejected`]);
  });
});
