// Live streams, for signed-in pages only (lazily loaded): see vite.config.ts for why the name.
export { useSubscription } from 'trpc-live-hooks';
