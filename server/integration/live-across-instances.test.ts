// Two Steward instances sharing one store, their live updates travelling over PostgreSQL LISTEN/NOTIFY
// (compose picks that bus from `databaseUrl`): a person's browser on instance A, through its real HTTP
// server and SSE, sees what happens through instance B at once and once: a task's progress, an alert
// (an approval waiting shows up this way; the browser refetches the inbox on every alert), and the end
// of its session. The store is one SQLite file both open, standing in for the shared database until
// both run on PostgreSQL; only the live updates are under test here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputeView } from '../../shared/disputes';
import type { StoredAlert } from '../domain/alerts';
import { insertDisputeUnderReview } from '../domain/disputes/test-support';
import { planStep } from '../domain/quotes/test-support';
import { testDatabaseUrl } from '../env';
import { postgresSuiteTitle } from '../../scripts/postgres/test-database';
import { httpClientFor, listenForTest } from '../api/http-test-client';
import type { AppRouter } from '../api/router';
import { createApiHarness } from '../api/test-harness';

const databaseUrl = testDatabaseUrl();

interface Stream<T> {
  received: T[];
  /** Resolves with the error the stream closed with. */
  closed: Promise<unknown>;
  /** Resolves once `done` holds for what has arrived (checked on every arrival). */
  until(done: (received: T[]) => boolean): Promise<void>;
}

type Subscribe<T> = (handlers: { onStarted(): void; onData(value: T): void; onError(error: unknown): void; onComplete(): void }) => { unsubscribe(): void };

describe.skipIf(databaseUrl === null)(postgresSuiteTitle('live updates across instances'), () => {
  let dir: string;
  let a: ReturnType<typeof createApiHarness>;
  let b: ReturnType<typeof createApiHarness>;
  let appA: FastifyInstance;
  let appB: FastifyInstance;
  let urlA: string;
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-live-'));
    const storage = { databasePath: join(dir, 'steward.db'), secretsKey: randomBytes(32) };
    // A minute between session re-checks: a stream that ends sooner was told, not polled.
    const options = { storage, databaseUrl: databaseUrl ?? '', sessionRecheckMs: 60_000 };
    a = createApiHarness(options);
    b = createApiHarness(options);
    await Promise.all([a.services.liveBus.listening(), b.services.liveBus.listening()]);
    ({ app: appA, baseUrl: urlA } = await listenForTest(a.deps));
    ({ app: appB } = await listenForTest(b.deps));
  });
  afterAll(async () => {
    stops.forEach((stop) => stop());
    await Promise.all([appA?.close(), appB?.close()]);
    await Promise.all([a?.services.stop(), b?.services.stop()]);
    a?.database.close();
    b?.database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open<T>(subscribe: Subscribe<T>): Promise<Stream<T>> {
    const received: T[] = [];
    const checks: (() => void)[] = [];
    let close: (error: unknown) => void = () => undefined;
    const closed = new Promise<unknown>((resolve) => (close = resolve));
    const stream: Stream<T> = {
      received,
      closed,
      until: (done) =>
        new Promise<void>((resolve) => {
          const check = () => (done(received) ? resolve() : checks.push(check));
          check();
        }),
    };
    return new Promise((started) => {
      const subscription = subscribe({
        onStarted: () => started(stream),
        onData: (value) => {
          received.push(value);
          checks.splice(0).forEach((check) => check());
        },
        onError: close,
        onComplete: () => close('completed without an error'),
      });
      stops.push(() => subscription.unsubscribe());
    });
  }

  const onA = (token: string) => httpClientFor(urlA, token);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  it('shows A an alert stored through B at once, once, and to its owner only', async () => {
    const alice = await b.signUp('alice@example.com');
    const bob = await b.signUp('bob@example.com');
    const alerts = await open<StoredAlert>((on) => onA(alice.token).alerts.onAlert.subscribe(undefined, { ...on, onData: (event) => on.onData(event.data) }));
    const bobs = await open<StoredAlert>((on) => onA(bob.token).alerts.onAlert.subscribe(undefined, { ...on, onData: (event) => on.onData(event.data) }));

    const stored = b.deps.alerts.notify(alice.user.id, { kind: 'approval_waiting', title: 'A payment is waiting for your approval', body: 'summary asks 1,000 sats.', severity: 'warning' });
    await alerts.until((received) => received.length > 0);
    await settle();
    expect(alerts.received).toEqual([stored]);
    expect(bobs.received).toEqual([]);
  });

  it("streams a task submitted through B to A's open task stream, ending in the state B stored", async () => {
    const carol = await b.signUp('carol@example.com');
    const tasks = await open<{ id: string; status: string; version: number }>((on) => onA(carol.token).tasks.onUpdate.subscribe({}, { ...on, onData: (event) => on.onData(event.data) }));

    const task = await carol.as().tasks.submit({ text: 'Tell me a joke' });
    await tasks.until(() => {
      const stored = b.deps.tasks.get(carol.user.id, task.id);
      return stored !== null && tasks.received.some((view) => view.id === task.id && view.version === stored.version && ['completed', 'failed', 'cancelled'].includes(stored.status));
    });
    const latest = tasks.received.filter((view) => view.id === task.id).at(-1);
    expect(latest).toEqual(b.deps.tasks.get(carol.user.id, task.id));
    // Each version at most once: nothing arrived twice.
    const versions = tasks.received.map((view) => `${view.id}:${view.version}`);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('shows A an approval B asked for, and wakes the task waiting on B when it is approved through A', async () => {
    const frank = await b.signUp('frank@example.com');
    const alerts = await open<StoredAlert>((on) => onA(frank.token).alerts.onAlert.subscribe(undefined, { ...on, onData: (event) => on.onData(event.data) }));
    // 1,000 sats: the confirm tier, so the request waits for the person.
    const quoted = await b.deps.quotes.quotePlan({ userId: frank.user.id, taskId: 'task-across', steps: [planStep('s1', 'summary')] });
    if (!quoted.ok) throw new Error(quoted.message);
    const asked = b.deps.approvals.request({ userId: frank.user.id, quote: quoted.quote }).approval;
    expect(asked.status).toBe('pending');
    const answered = b.deps.approvals.waitForResolution(asked.id);

    await alerts.until((received) => received.some((alert) => alert.kind === 'approval_waiting' && alert.data.approvalId === asked.id));
    expect((await onA(frank.token).approvals.pending.query()).map((item) => item.approval.id)).toEqual([asked.id]);
    await onA(frank.token).approvals.approve.mutate({ approvalId: asked.id });
    // Far sooner than the request's own expiry, which is the only other thing that would end the wait.
    const resolved = await Promise.race([answered, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
    expect(resolved?.status).toBe('approved');
  });

  it("shows A's Disputes page an operator's decision made through B, as B stored it", async () => {
    const erin = await b.signUp('erin@example.com');
    const disputes = await open<DisputeView>((on) => onA(erin.token).disputes.onChange.subscribe(undefined, { ...on, onData: (event) => on.onData(event.data) }));
    const id = insertDisputeUnderReview(b.database.db, { id: 'across-instances', userId: erin.user.id, stepId: 's-1' });
    const decided = b.deps.disputes.decide('an-operator', id, { kind: 'reject', note: 'The answer was fine.' });
    if (!decided.ok) throw new Error(decided.reason);

    await disputes.until((received) => received.length > 0);
    await settle();
    expect(disputes.received).toEqual([decided.dispute]);
  });

  it("tells A's watchers of an agent key (its tasks' loops, its MCP sessions) at once when the key is revoked through B", async () => {
    const grace = await b.signUp('grace@example.com');
    const keyInput = { name: 'ide', monthlyCapSats: 5_000, perCallCapSats: 5_000, allowed: [], mayAutoSpend: false, expiresInDays: 1 };
    const revoked = b.deps.agentKeys.create(grace.user.id, keyInput).key;
    const kept = b.deps.agentKeys.create(grace.user.id, keyInput).key;
    const heard: string[] = [];
    const told = new Promise<void>((resolve) => {
      stops.push(a.deps.agentKeys.watchRevoked(grace.user.id, revoked.id, () => (heard.push(revoked.id), resolve())));
    });
    stops.push(a.deps.agentKeys.watchRevoked(grace.user.id, kept.id, () => heard.push(kept.id)));

    await grace.as().agentKeys.revoke({ keyId: revoked.id });
    await told;
    await settle();
    expect(heard).toEqual([revoked.id]);
  });

  it("ends A's streams at once when the session signs out through B", async () => {
    const dave = await b.signUp('dave@example.com');
    const alerts = await open<StoredAlert>((on) => onA(dave.token).alerts.onAlert.subscribe(undefined, { ...on, onData: (event) => on.onData(event.data) }));
    const started = Date.now();
    await dave.as().auth.signOut();
    const error = await alerts.closed;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
