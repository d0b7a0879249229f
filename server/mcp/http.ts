/**
 * Streamable HTTP at /mcp. The agent key is the credential: `Authorization: Bearer <key>` on every
 * request. The browser rules (session cookie, CSRF header) do not apply here; the app's allowed-hosts
 * rule does (it runs before every route). A session is bound to the key that opened it: another key
 * cannot use it, and a key revoked mid-session gets every tool call refused by name (tools.ts).
 *
 * Several instances behind a load balancer, without sticky sessions: the session's record (its key,
 * when it was opened and last used, whether it is closed) is in the database (agentKeys.sessions), so
 * any instance can serve a request for it. The instance that opened it keeps its stateful transport
 * (the standalone GET stream, elicitation); another instance answers each POST of the session with a
 * server and transport made for that request (the SDK's stateless mode: no session state lives in
 * them, the record is checked before), and refuses its GET with 405, which the protocol allows. A
 * DELETE, the per-key limit or idleness closes the record, and every instance then answers 404.
 */
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MCP_SESSIONS_PER_KEY, type AgentPrincipal } from '../domain/agent-keys';
import type { McpDeps, McpOptions } from './deps';
import { createKeyRateLimit, type KeyRateLimit } from './rate-limit';
import { createStewardMcpServer } from './server';

export { MCP_SESSIONS_PER_KEY };
/** Tool calls per key per minute: plenty for an agent's work, a ceiling for one stuck in a loop. */
export const MCP_CALLS_PER_MINUTE = 120;
/** A session nobody used for this long is closed (clients that vanished without DELETE). */
const SESSION_IDLE_MS = 30 * 60_000;

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function refuse(reply: FastifyReply, status: number, reason: string, message: string) {
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="steward-mcp"');
  return reply.status(status).header('cache-control', 'no-store').send({ jsonrpc: '2.0', error: { code: -32001, message: `${reason}: ${message}` }, id: null });
}

interface Route {
  deps: McpDeps;
  options: McpOptions;
  rateLimit: KeyRateLimit;
  /** The stateful transports of the sessions this instance opened. */
  local: Map<string, StreamableHTTPServerTransport>;
}

function closeLocal(route: Route, sessionId: string): void {
  const transport = route.local.get(sessionId);
  route.local.delete(sessionId);
  void transport?.close();
}

/** A request naming a session: checked against its record, then served here, whichever instance opened it. */
async function serveSession(route: Route, request: FastifyRequest, reply: FastifyReply, token: string, sessionId: string) {
  const { deps } = route;
  const record = deps.agentKeys.sessions.find(sessionId);
  if (!record || record.closedAtMs !== null) {
    closeLocal(route, sessionId);
    return refuse(reply, 404, 'session_not_found', 'Start a new session.');
  }
  const key = deps.agentKeys.keyOf(token);
  if (key?.keyId !== record.keyId) return refuse(reply, 403, 'wrong_key', 'This session belongs to another key.');
  if (request.method === 'DELETE') {
    deps.agentKeys.sessions.close(sessionId);
    closeLocal(route, sessionId);
    return reply.status(200).header('cache-control', 'no-store').send();
  }
  deps.agentKeys.sessions.touch(sessionId);
  const transport = route.local.get(sessionId);
  if (transport) {
    reply.hijack();
    return transport.handleRequest(request.raw, reply.raw, request.body);
  }
  if (request.method !== 'POST') return reply.status(405).header('allow', 'POST, DELETE').send();
  return serveStateless(route, request, reply, key);
}

/** One POST of a session opened on another instance: a server and transport for this request only. */
async function serveStateless(route: Route, request: FastifyRequest, reply: FastifyReply, principal: AgentPrincipal) {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  const server = createStewardMcpServer(route.deps, principal, route.options, route.rateLimit);
  reply.raw.on('close', () => void server.close());
  await server.connect(transport);
  reply.hijack();
  return transport.handleRequest(request.raw, reply.raw, request.body);
}

/** A request without a session: only an initialize, with a live key; the session is recorded (and the key's oldest closed past the limit). */
async function openSession(route: Route, request: FastifyRequest, reply: FastifyReply, token: string) {
  const { deps } = route;
  const authenticated = deps.agentKeys.authenticate(token);
  if (!authenticated.ok) return refuse(reply, 401, authenticated.reason, 'This agent key cannot be used.');
  if (request.method !== 'POST') return refuse(reply, 400, 'no_session', 'Initialize a session first.');
  const { principal } = authenticated;
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) => {
      for (const closed of deps.agentKeys.sessions.open({ id, keyId: principal.keyId, userId: principal.userId })) closeLocal(route, closed);
      route.local.set(id, transport);
    },
  });
  transport.onclose = () => {
    if (transport.sessionId) route.local.delete(transport.sessionId);
  };
  await createStewardMcpServer(deps, principal, route.options, route.rateLimit).connect(transport);
  reply.hijack();
  return transport.handleRequest(request.raw, reply.raw, request.body);
}

export function registerMcpRoute(app: FastifyInstance, deps: McpDeps, options: McpOptions): void {
  const route: Route = { deps, options, rateLimit: createKeyRateLimit(deps.rateLimits, { max: MCP_CALLS_PER_MINUTE, windowMs: 60_000 }), local: new Map() };

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    handler: async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) return refuse(reply, 401, 'no_key', 'Send the agent key as a bearer token.');
      const sessionId = request.headers['mcp-session-id'];
      return typeof sessionId === 'string' ? serveSession(route, request, reply, token, sessionId) : openSession(route, request, reply, token);
    },
  });

  // Idle sessions are closed (by whichever instance gets there first), and this instance lets go of
  // the transports of sessions closed anywhere (DELETE or the per-key limit on another instance).
  const sweeper = setInterval(() => {
    deps.agentKeys.sessions.closeIdle(SESSION_IDLE_MS);
    for (const id of route.local.keys()) {
      if (deps.agentKeys.sessions.find(id)?.closedAtMs !== null) closeLocal(route, id);
    }
  }, 60_000);
  sweeper.unref();

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await Promise.all([...route.local.values()].map((transport) => transport.close()));
    route.local.clear();
  });
}
