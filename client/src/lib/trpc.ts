import { QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../../server/api/router';
import { liveSubscriptionLink } from './live-link';
import { CSRF_HEADER, CSRF_HEADER_VALUE, MAX_TRPC_URL_CHARS } from '../../../shared/http';

/** Server state lives here (tRPC + react-query); zustand holds UI state only. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: true } },
  });
}

export function createApiClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: liveSubscriptionLink('/api/trpc'),
        // The server refuses POSTs without this header (CSRF defence; see server/http/csrf.ts).
        false: httpBatchLink({ url: '/api/trpc', headers: { [CSRF_HEADER]: CSRF_HEADER_VALUE }, maxURLLength: MAX_TRPC_URL_CHARS }),
      }),
    ],
  });
}
