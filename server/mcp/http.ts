/**
 * Streamable HTTP at /mcp. The agent key is the credential: `Authorization: Bearer <key>` on every
 * request. The browser rules (session cookie, CSRF header) do not apply here; the app's allowed-hosts
 * rule does (it runs before every route). A session is bound to the key that opened it: another key
 * cannot use it, and a key revoked mid-session gets every tool call refused by name (tools.ts).
 */
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { hashAgentKey } from '../domain/agent-keys';
import type { McpDeps, McpOptions } from './deps';
import { createKeyRateLimit } from './rate-limit';
import { createStewardMcpServer } from './server';

/** Tool calls per key per minute: plenty for an agent's work, a ceiling for one stuck in a loop. */
export const MCP_CALLS_PER_MINUTE = 120;
/** Open sessions per key; a new one past this closes that key's oldest (a client that reconnects often). */
export const MCP_SESSIONS_PER_KEY = 8;
/** A session nobody used for this long is closed (clients that vanished without DELETE). */
const SESSION_IDLE_MS = 30 * 60_000;

interface Session {
  transport: StreamableHTTPServerTransport;
  keyHash: string;
  lastUsedMs: number;
}

/** Keeps each key within MCP_SESSIONS_PER_KEY by closing its oldest sessions (the map keeps insertion order). */
function makeRoomFor(sessions: Map<string, Session>, keyHash: string): void {
  const own = [...sessions.entries()].filter(([, s]) => s.keyHash === keyHash);
  for (const [id, session] of own.slice(0, Math.max(0, own.length - MCP_SESSIONS_PER_KEY + 1))) {
    sessions.delete(id);
    void session.transport.close();
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function refuse(reply: FastifyReply, status: number, reason: string, message: string) {
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="steward-mcp"');
  return reply.status(status).header('cache-control', 'no-store').send({ jsonrpc: '2.0', error: { code: -32001, message: `${reason}: ${message}` }, id: null });
}

export function registerMcpRoute(app: FastifyInstance, deps: McpDeps, options: McpOptions): void {
  const sessions = new Map<string, Session>();
  const rateLimit = createKeyRateLimit(deps.rateLimits, { max: MCP_CALLS_PER_MINUTE, windowMs: 60_000 });

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    handler: async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) return refuse(reply, 401, 'no_key', 'Send the agent key as a bearer token.');
      const sessionId = request.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const session = sessions.get(sessionId);
        if (!session) return refuse(reply, 404, 'session_not_found', 'Start a new session.');
        if (session.keyHash !== hashAgentKey(token)) return refuse(reply, 403, 'wrong_key', 'This session belongs to another key.');
        session.lastUsedMs = Date.now();
        reply.hijack();
        return session.transport.handleRequest(request.raw, reply.raw, request.body);
      }
      const authenticated = deps.agentKeys.authenticate(token);
      if (!authenticated.ok) return refuse(reply, 401, authenticated.reason, 'This agent key cannot be used.');
      if (request.method !== 'POST') return refuse(reply, 400, 'no_session', 'Initialize a session first.');
      const keyHash = hashAgentKey(token);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          makeRoomFor(sessions, keyHash);
          sessions.set(id, { transport, keyHash, lastUsedMs: Date.now() });
        },
        onsessionclosed: (id) => void sessions.delete(id),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await createStewardMcpServer(deps, authenticated.principal, options, rateLimit).connect(transport);
      reply.hijack();
      return transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });

  const sweeper = setInterval(() => {
    for (const [id, session] of sessions) {
      if (Date.now() - session.lastUsedMs < SESSION_IDLE_MS) continue;
      sessions.delete(id);
      void session.transport.close();
    }
  }, 60_000);
  sweeper.unref();

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await Promise.all([...sessions.values()].map((s) => s.transport.close()));
    sessions.clear();
  });
}
