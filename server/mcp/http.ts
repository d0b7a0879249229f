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

interface Session {
  transport: StreamableHTTPServerTransport;
  keyHash: string;
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
  const rateLimit = createKeyRateLimit({ max: MCP_CALLS_PER_MINUTE, windowMs: 60_000 });

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
        reply.hijack();
        return session.transport.handleRequest(request.raw, reply.raw, request.body);
      }
      const authenticated = deps.agentKeys.authenticate(token);
      if (!authenticated.ok) return refuse(reply, 401, authenticated.reason, 'This agent key cannot be used.');
      if (request.method !== 'POST') return refuse(reply, 400, 'no_session', 'Initialize a session first.');
      const keyHash = hashAgentKey(token);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { transport, keyHash }),
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

  app.addHook('onClose', async () => {
    await Promise.all([...sessions.values()].map((s) => s.transport.close()));
    sessions.clear();
  });
}
