// The live alerts subscription through a real HTTP server: tRPC's httpSubscriptionLink over SSE with
// the `eventsource` package's EventSource (Node 20 has none), the session cookie, and the CSRF header
// the server requires on mutations.
import { TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../domain/alerts';
import { SESSION_COOKIE } from '../../http/session-cookie';
import type { AppRouter } from '../router';
import { createApiHarness } from '../test-harness';
import { httpClientFor, listenForTest } from '../http-test-client';

let h: ReturnType<typeof createApiHarness>;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  h = createApiHarness();
  ({ app, baseUrl } = await listenForTest(h.deps));
});
afterAll(async () => {
  await app.close();
  h.database.close();
});

const clientFor = (token: string | null) => httpClientFor(baseUrl, token);

/** Subscribes and resolves once the stream is open; `next()` waits for the next pushed alert. */
async function listen(client: ReturnType<typeof clientFor>) {
  const received: StoredAlert[] = [];
  const waiters: (() => void)[] = [];
  const started = new Promise<void>((resolve, reject) => {
    const subscription = client.alerts.onAlert.subscribe(undefined, {
      onStarted: () => resolve(),
      onData: (event) => {
        received.push(event.data);
        waiters.shift()?.();
      },
      onError: reject,
    });
    stops.push(() => subscription.unsubscribe());
  });
  await started;
  return {
    received,
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}
const stops: (() => void)[] = [];
afterAll(() => stops.forEach((stop) => stop()));

describe('alerts over HTTP', () => {
  it('pushes each new alert to its owner over SSE, and marks it read with a CSRF-protected mutation', async () => {
    const alice = await h.signUp('alice@example.com');
    const bob = await h.signUp('bob@example.com');
    const aliceClient = clientFor(alice.token);
    const aliceStream = await listen(aliceClient);
    const bobStream = await listen(clientFor(bob.token));

    const arrived = aliceStream.next();
    const stored = h.deps.alerts.notify(alice.user.id, { kind: 'payment_failed', title: 'A payment failed', body: 'Nothing was spent.', severity: 'critical' });
    await arrived;
    expect(aliceStream.received).toEqual([stored]);

    // Bob's stream got nothing of alice's (give it a moment to prove the negative).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bobStream.received).toEqual([]);

    expect(await aliceClient.alerts.unreadCount.query()).toBe(1);
    expect(await aliceClient.alerts.markRead.mutate({ ids: [stored.id] })).toEqual({ marked: 1 });
    expect(await aliceClient.alerts.list.query({ unreadOnly: true })).toEqual([]);
  });

  it('refuses the stream to a signed-out caller', async () => {
    const refused = await new Promise<unknown>((resolve) => {
      const subscription = clientFor(null).alerts.onAlert.subscribe(undefined, { onError: resolve, onData: () => resolve('data') });
      stops.push(() => subscription.unsubscribe());
    });
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });

  it('refuses a mutation without the CSRF header', async () => {
    const carol = await h.signUp('carol@example.com');
    const response = await fetch(`${baseUrl}/api/trpc/alerts.markAllRead`, {
      method: 'POST',
      headers: { cookie: `${SESSION_COOKIE}=${carol.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });
});
