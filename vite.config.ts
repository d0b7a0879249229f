import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const serverPort = Number(process.env.PORT ?? 5402);

// Named by path: the package's exports do not let anyone import this file by name.
const reactRouterProduction = fileURLToPath(new URL('./node_modules/react-router/dist/production/index.mjs', import.meta.url));
// tRPC keeps each package in one module, so the code behind live streams (the client's SSE reader with
// the @trpc/server stream code it needs, and the useSubscription hook) would ship with the first screen,
// although streams only start in the signed-in shell. A production build reads those two modules a second
// time under their own names, imported only by lazily loaded code: tree-shaken, each copy holds the live
// code and nothing the first screen already has (client/src/lib/live.ts).
const liveCopy = (file: string) => `${fileURLToPath(new URL(`./node_modules/${file}`, import.meta.url))}?live`;
const liveAliases = (build: boolean) => [
  { find: /^trpc-live-link$/, replacement: build ? liveCopy('@trpc/client/dist/index.mjs') : '@trpc/client' },
  { find: /^trpc-live-hooks$/, replacement: build ? liveCopy('@trpc/tanstack-react-query/dist/index.mjs') : '@trpc/tanstack-react-query' },
];

export default defineConfig(({ command }) => ({
  root: 'client',
  plugins: [react()],
  resolve: {
    // react-router's package exports always point at its development build (dev warnings included;
    // remix-run/react-router#12532, #14102); a production build takes its production build instead.
    alias: [
      ...(command === 'build' ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : []),
      ...liveAliases(command === 'build'),
    ],
  },
  // Every browser the app supports preloads modules natively; the polyfill would ship to all of them.
  build: { outDir: '../dist/client', emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false } },
  server: {
    port: 5173,
    proxy: { '/api': { target: `http://127.0.0.1:${serverPort}`, changeOrigin: false } },
  },
  test: {
    root: '.',
    include: ['{server,shared,client,scripts}/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // npm run test:postgres: the same suite with every app database on PostgreSQL (TEST_DATABASE_URL).
    // Its files spend most of their time waiting on the database server, so more of them run at once than
    // there are cores, each with more time per test.
    ...(process.env.TEST_BACKEND === 'postgres'
      ? {
          globalSetup: ['scripts/postgres/test-backend/global-setup.ts'],
          setupFiles: ['scripts/postgres/test-backend/setup.ts'],
          maxWorkers: 4,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        }
      : {}),
  },
}));
