import type { FastifyInstance } from 'fastify';
import type { Readiness, ReadinessCheck } from '../domain/ports/readiness';

/**
 * Probes for a load balancer or a service manager, outside /api because they are not the app's API:
 * - `GET /healthz`: the process is up and its event loop answers. Always 200; never touches the
 *   database, so a database outage does not get every instance restarted by a liveness check.
 * - `GET /readyz`: this instance can serve people now: 200 when the database answers a trivial query
 *   within READINESS_TIMEOUT_MS and has every migration of this build; 503 with the reason otherwise,
 *   so the balancer sends traffic elsewhere. While the server shuts down Fastify answers 503 too.
 * Both are unauthenticated, never cached, never rate limited (limits apply per tRPC procedure only),
 * and answered whatever the Host header (see PROBE_PATHS). Their bodies say nothing about any person.
 */
export const READINESS_TIMEOUT_MS = 2_000;

/**
 * Exempt from the allowed-hosts check (app.ts): balancers probe each instance by its own address
 * (an AWS target group sends `Host: <instance ip>:<port>`, and cannot be told otherwise), which is not
 * PUBLIC_URL's host. Letting any Host reach these two routes gives a DNS-rebinding page nothing: the
 * answers carry no cookie, no person's data and no version, and these routes act on nothing.
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function registerHealthRoutes(app: FastifyInstance, readiness: ReadinessCheck, timeoutMs = READINESS_TIMEOUT_MS): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const outcome = await readinessWithin(readiness, timeoutMs);
    if (outcome.ready) return reply.send({ status: 'ready' });
    request.log.warn({ reason: outcome.reason, detail: outcome.detail }, 'not ready');
    return reply.status(503).send({ status: 'not_ready', reason: outcome.reason });
  });
}

/**
 * The check's answer, or `database_timeout` when it took longer than `timeoutMs`. A synchronous
 * check (the better-sqlite3-shaped handle) cannot be interrupted, so its time is measured after it
 * returns: an answer that came too late is a timeout all the same.
 */
export async function readinessWithin(check: ReadinessCheck, timeoutMs: number): Promise<Readiness> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Readiness>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: 'database_timeout', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(check), late]);
    const elapsedMs = performance.now() - started;
    if (outcome.ready && elapsedMs > timeoutMs) return { ready: false, reason: 'database_timeout', detail: `answered after ${Math.round(elapsedMs)} ms` };
    return outcome;
  } catch (error) {
    return { ready: false, reason: 'database_unavailable', detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
