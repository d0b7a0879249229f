// A tRPC client over real HTTP for tests: queries and mutations batched with the CSRF header, subscriptions
// over SSE (Node 20 has no EventSource: the `eventsource` package's), both carrying the session cookie.
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../../shared/http';
import { SESSION_COOKIE } from '../http/session-cookie';
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
