import { TRPCClientError, type OperationLink, type TRPCLink } from '@trpc/client';
// observable is the stream primitive @trpc/client is built on (already in the bundle through it); the
// client package does not re-export it. No server code comes with it.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- see above
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '../../../server/api/router';

/**
 * A link whose code loads when its first operation arrives. Live streams only start in the signed-in
 * shell, so the SSE reader need not ship with the first screen (sign-in, or the session check).
 */
export function lazyLink(load: () => Promise<TRPCLink<AppRouter>>): TRPCLink<AppRouter> {
  return (runtime) => {
    let loading: Promise<OperationLink<AppRouter>> | undefined;
    const ready = () => {
      loading ??= load().then((link) => link(runtime));
      // A failed load (say, a new deploy replaced the chunk) is tried again by the next operation.
      loading.catch(() => (loading = undefined));
      return loading;
    };
    return ({ op, next }) =>
      observable((observer) => {
        let closed = false;
        let stop = () => {};
        ready().then(
          (link) => {
            if (closed) return;
            const subscription = link({ op, next }).subscribe(observer);
            stop = () => subscription.unsubscribe();
          },
          (cause: unknown) => {
            if (!closed) observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error(String(cause))));
          },
        );
        return () => {
          closed = true;
          stop();
        };
      });
  };
}

/** tRPC's SSE link, loaded with the first live stream (see vite.config.ts for the module's name). */
export function liveSubscriptionLink(url: string): TRPCLink<AppRouter> {
  return lazyLink(async () => (await import('trpc-live-link')).httpSubscriptionLink<AppRouter, typeof EventSource>({ url }));
}
