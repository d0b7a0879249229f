import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { appRouter, type AppRouter } from '../api/router';
import { createApiContext, type ApiDeps } from '../api/context';
import { DEFAULT_MCP_OPTIONS, type McpDeps, type McpOptions } from '../mcp/deps';
import { registerMcpRoute } from '../mcp/http';
import { MAX_TRPC_URL_CHARS } from '../../shared/http';
import { isAllowedHost, LOOPBACK_HOSTS, type AllowedHosts } from './allowed-hosts';
import { csrfRefusal, refuseCsrf } from './csrf';
import { PROBE_PATHS, registerHealthRoutes } from './health';
import { createRateLimiter, DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rate-limits';
import { registerStripeWebhook } from './stripe-webhook';
import { readSessionToken, sessionCookieJar } from './session-cookie';

export interface HttpAppOptions {
  deps: ApiDeps;
  /** Directory of the built client (index.html + assets); absent in API-only tests. */
  clientDir?: string;
  /** The app's public origin (PUBLIC_URL); an https origin makes the session cookie Secure. */
  publicOrigin?: string;
  rateLimits?: RateLimitSettings;
  /** Host header values served (server/http/allowed-hosts.ts); loopback on any port when absent. */
  allowedHosts?: AllowedHosts;
  /**
   * Proxies whose X-Forwarded-For names the client (TRUST_PROXY: addresses, CIDR ranges); absent =
   * none, and the connection's address is the client's, whatever a request's headers claim.
   */
  trustedProxies?: readonly string[];
  /** How long MCP tool calls wait for a person or a task (server/mcp); the defaults when absent. */
  mcp?: McpOptions;
  /** How long `GET /readyz` waits for the database (server/http/health.ts); READINESS_TIMEOUT_MS when absent. */
  readinessTimeoutMs?: number;
}

/** The MCP server's view of the app: the same services, plus where the person's approval page is. */
function mcpDeps(deps: ApiDeps, publicOrigin: string): McpDeps {
  return {
    ...deps,
    timeZoneOf: (userId) => deps.accounts.accounts.getUser(userId)?.timeZone ?? 'UTC',
    publicOrigin,
  };
}

// HSTS for a year once the public origin is https; subdomains are the operator's to decide.
const HSTS_MAX_AGE_S = 365 * 24 * 60 * 60;

/** Largest request body accepted anywhere; big enough for any form, small enough to refuse abuse. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Fastify's request lines, at debug instead of info (at info a terminal scrolls with every poll), with
 * the path but never the query string (a tRPC query carries its input there). Failed requests still
 * log at error, as Fastify does.
 */
class DebugRequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ request: { method: request.method, path: request.url.split('?', 1)[0] } }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (error) return super.requestCompleted(error, request, reply, metadata);
    if (!this.isLogDisabled(request)) reply.log.debug({ response: { statusCode: reply.statusCode }, responseTimeMs: Math.round(reply.elapsedTime) }, 'request completed');
  }
}

/**
 * Builds the single HTTP server: tRPC under /api/trpc, plain routes under /api, and the built client
 * for everything else (with index.html as the fallback so client-side routes survive a reload).
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { deps } = options;
  const publicOrigin = new URL(options.publicOrigin ?? 'http://127.0.0.1').origin;
  const overHttps = publicOrigin.startsWith('https://');
  const allowedHosts = options.allowedHosts ?? LOOPBACK_HOSTS;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new DebugRequestLogs(),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustedProxies ? [...options.trustedProxies] : false,
    // A tRPC batch names its procedures in the path (`/api/trpc/a.b,c.d,...`): Fastify's default limit
    // of 100 characters answered 414 when a page's queries were batched with the shell's refetches.
    routerOptions: { maxParamLength: MAX_TRPC_URL_CHARS },
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    // Only over https: the sandbox serves plain HTTP on loopback, where HSTS would break it.
    strictTransportSecurity: overHttps ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false } : false,
  });
  await app.register(fastifyCookie);
  // Limits apply per procedure through the tRPC `rateLimited` middleware, not to every route.
  const rateLimiterFor = createRateLimiter(deps.rateLimits, options.rateLimits ?? DEFAULT_RATE_LIMITS);

  // Before any route runs: a request for another host name (DNS rebinding) gets nothing from this server,
  // except the load balancer's probes, which name the instance's own address (health.ts, PROBE_PATHS).
  app.addHook('onRequest', async (request, reply) => {
    if (!PROBE_PATHS.has(request.routeOptions.url ?? '') && !isAllowedHost(request.headers.host, allowedHosts)) {
      return reply.status(421).header('cache-control', 'no-store').send({ error: 'This server does not answer for that host name.' });
    }
    // API answers are about one person, right now: never stored by a browser or a shared cache.
    if (request.url.startsWith('/api/') || request.routeOptions.url?.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  app.addHook('onRequest', async (request, reply) => {
    // The matched route, not the raw URL: the router decodes the path, so `/api/%74rpc/...` is tRPC too.
    if (!request.routeOptions.url?.startsWith('/api/trpc/')) return;
    const refused = csrfRefusal(request, publicOrigin);
    if (refused) return refuseCsrf(reply, refused);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // Never send stacks or internal messages (SQL, file paths) to the client.
    const message = status < 500 ? error.message : 'Internal server error';
    void reply.status(status).send({ error: message });
  });

  // Agents (MCP clients) authenticate with their agent key, not a session cookie: no CSRF check applies.
  registerMcpRoute(app, mcpDeps(deps, publicOrigin), options.mcp ?? DEFAULT_MCP_OPTIONS);

  app.get('/api/health', async () => ({ status: 'ok', mode: deps.mode, version: deps.version }));
  registerHealthRoutes(app, deps.readiness, options.readinessTimeoutMs);
  await registerStripeWebhook(app, deps.topUps);

  await app.register(fastifyTRPCPlugin, {
    prefix: '/api/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) =>
        createApiContext(deps, {
          sessionToken: readSessionToken(req, overHttps),
          meta: { ip: req.ip, userAgent: req.headers['user-agent'] ?? null },
          cookies: sessionCookieJar(res, overHttps),
          checkRateLimit: rateLimiterFor(req),
        }),
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') deps.logger.error({ err: error, path }, 'trpc error');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  const clientDir = options.clientDir;
  if (clientDir && existsSync(clientDir)) {
    await app.register(fastifyStatic, { root: clientDir, wildcard: false, index: ['index.html'] });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/')) {
        return reply.type('text/html').sendFile('index.html');
      }
      return reply.status(404).send({ error: 'Not found' });
    });
  } else {
    app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'Not found' }));
  }

  return app;
}
