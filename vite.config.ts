import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const serverPort = Number(process.env.PORT ?? 5402);

// Named by path: the package's exports do not let anyone import this file by name.
const reactRouterProduction = fileURLToPath(new URL('./node_modules/react-router/dist/production/index.mjs', import.meta.url));

export default defineConfig(({ command }) => ({
  root: 'client',
  plugins: [react()],
  resolve: {
    // react-router's package exports always point at its development build (dev warnings included;
    // remix-run/react-router#12532, #14102); a production build takes its production build instead.
    alias: command === 'build' ? [{ find: /^react-router$/, replacement: reactRouterProduction }] : [],
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
  },
}));
