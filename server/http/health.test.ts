import { afterEach, describe, expect, it } from 'vitest';
import { createApiHarness } from '../api/test-harness';
import type { ReadinessCheck } from '../domain/ports/readiness';
import { buildHttpApp, type HttpAppOptions } from './app';
import { onPostgres } from '../../scripts/postgres/test-backend/locations';

// Where the applied migrations are recorded: drizzle's table on SQLite, ours (by tag) on PostgreSQL.
const MIGRATIONS = onPostgres ? '"__steward_migrations"' : '__drizzle_migrations';
const NEWEST = onPostgres ? 'tag' : 'created_at';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The real app over the harness's in-memory database (migrated, as at start-up). */
async function appOver(options: { readiness?: ReadinessCheck } & Omit<HttpAppOptions, 'deps'> = {}) {
  const harness = createApiHarness();
  const { readiness, ...appOptions } = options;
  const app = await buildHttpApp({ deps: { ...harness.deps, ...(readiness ? { readiness } : {}) }, ...appOptions });
  cleanups.push(() => app.close(), () => harness.database.close());
  return { app, harness };
}

describe('GET /healthz', () => {
  it('answers 200, uncached, and does not need the database', async () => {
    const { app, harness } = await appOver();
    harness.database.close();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('GET /readyz', () => {
  it('answers 200, uncached, over a database that answers and has every migration', async () => {
    const { app } = await appOver();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 database_unavailable once the database handle is closed', async () => {
    const { app, harness } = await appOver();
    harness.database.close();
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    // The reason only: the driver's message (SQL, file paths, host names) stays in the log.
    expect(res.json()).toEqual({ status: 'not_ready', reason: 'database_unavailable' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 migrations_pending when the database lacks the newest migration of this build', async () => {
    const { app, harness } = await appOver();
    harness.database.sqlite.exec(`DELETE FROM ${MIGRATIONS} WHERE ${NEWEST} = (SELECT max(${NEWEST}) FROM ${MIGRATIONS})`);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', reason: 'migrations_pending' });
  });

  it('answers 503 migrations_pending when nothing was ever migrated', async () => {
    const { app, harness } = await appOver();
    harness.database.sqlite.exec(`DROP TABLE ${MIGRATIONS}`);
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toEqual({ status: 'not_ready', reason: 'migrations_pending' });
  });

  it('answers 503 database_timeout when the check does not answer in time', async () => {
    const { app } = await appOver({ readiness: () => new Promise(() => undefined), readinessTimeoutMs: 20 });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', reason: 'database_timeout' });
  });

  it('counts a synchronous check that answered too late as a timeout', async () => {
    const slowButReady: ReadinessCheck = () => {
      const until = performance.now() + 40;
      while (performance.now() < until) {
        // A synchronous driver blocks the event loop like this; the timer cannot fire meanwhile.
      }
      return { ready: true };
    };
    const { app } = await appOver({ readiness: slowButReady, readinessTimeoutMs: 10 });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toEqual({ status: 'not_ready', reason: 'database_timeout' });
  });

  it('answers 503 database_unavailable when the check throws', async () => {
    const { app } = await appOver({
      readiness: () => {
        throw new Error('connect ECONNREFUSED 10.0.0.9:5432');
      },
    });
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('10.0.0.9');
  });
});

describe('probes and the other guards', () => {
  it('answers a balancer that names the instance by its own address, which other routes refuse (421)', async () => {
    const { app } = await appOver({ allowedHosts: ['steward.example.com'] });
    const host = '10.0.3.17:5402';
    expect((await app.inject({ method: 'GET', url: '/healthz', headers: { host } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz', headers: { host } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/health', headers: { host } })).statusCode).toBe(421);
    expect((await app.inject({ method: 'GET', url: '/api/trpc/auth.session', headers: { host } })).statusCode).toBe(421);
  });

  it('is never rate limited, however often a balancer asks', async () => {
    const { app } = await appOver();
    const codes = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      codes.add((await app.inject({ method: 'GET', url: '/readyz' })).statusCode);
      codes.add((await app.inject({ method: 'GET', url: '/healthz' })).statusCode);
    }
    expect([...codes]).toEqual([200]);
  });
});
