/** tRPC's modules, read again by the build for lazily loaded live code only (see vite.config.ts). */
declare module 'trpc-live-link' {
  export { httpSubscriptionLink } from '@trpc/client';
}
declare module 'trpc-live-hooks' {
  export { useSubscription } from '@trpc/tanstack-react-query';
}
