// A tRPC client over real HTTP for tests: queries and mutations batched with the CSRF header, subscriptions
// over SSE (Node 20 has no EventSource: the `eventsource` package's), both carrying the session cookie;
// and the app served on a free loopback port for it to talk to.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../../shared/http';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../http/app';
import { SESSION_COOKIE } from '../http/session-cookie';
import type { ApiDeps } from './context';
import type { AppRouter } from './router';

export function httpClientFor(baseUrl: string, sessionToken: string | null) {
  const cookie = sessionToken ? `${SESSION_COOKIE}=${sessionToken}` : '';
  const url = `${baseUrl}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, cookie } }) }),
        }),
        false: httpBatchLink({ url, headers: { [CSRF_HEADER]: CSRF_HEADER_VALUE, cookie } }),
      }),
    ],
  });
}

/** The app's HTTP server over a test harness's services, on a free loopback port. */
export async function listenForTest(deps: ApiDeps): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = await buildHttpApp({ deps });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, baseUrl: `http://127.0.0.1:${address.port}` };
}
