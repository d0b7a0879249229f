/**
 * Open MCP sessions of agent keys, held in the database so that any instance behind a load balancer
 * can serve a request for one (server/mcp/http.ts re-creates its transport there on demand) and a
 * key's open sessions are counted across instances:
 *
 *   sessions.open({ id, keyId, userId })  -> the ids of the key's sessions it closed to stay within the limit
 *   sessions.find(id) / touch(id)         -> the record, refused everywhere once closed
 *   sessions.close(id)                    -> DELETE, on whichever instance it lands
 *   sessions.closeIdle(idleMs)            -> sessions nobody used for that long (clients that vanished)
 */
import type { Db } from '../../db/client';
import { createMcpSessionsRepository } from '../../db/repositories/mcp-sessions-repository';
import type { McpSessionRow } from '../../db/schema/agent-keys';

export type McpSession = McpSessionRow;

/** Open sessions per key; a new one past this closes that key's oldest (a client that reconnects often). */
export const MCP_SESSIONS_PER_KEY = 8;

export interface McpSessionsDeps {
  db: Db;
  /** Open sessions per key; opening one more closes the key's oldest. */
  perKeyLimit: number;
  now: () => number;
}

export type McpSessions = ReturnType<typeof createMcpSessions>;

export function createMcpSessions(deps: McpSessionsDeps) {
  const repository = createMcpSessionsRepository(deps.db);
  return {
    /**
     * Records a new session and closes the key's oldest past the limit, in one write transaction: two
     * instances opening sessions for one key at once still leave at most `perKeyLimit` open.
     */
    open(input: { id: string; keyId: string; userId: string }): string[] {
      return deps.db.transaction(
        () => {
          const nowMs = deps.now();
          const open = repository.openForKey(input.keyId);
          const closing = open.slice(0, Math.max(0, open.length - deps.perKeyLimit + 1)).map((s) => s.id);
          for (const id of closing) repository.close(id, nowMs);
          repository.insert({ ...input, createdAtMs: nowMs, lastSeenAtMs: nowMs });
          return closing;
        },
        { behavior: 'immediate' },
      );
    },
    find: (id: string): McpSession | undefined => repository.byId(id),
    touch: (id: string): void => repository.touch(id, deps.now()),
    close: (id: string): boolean => repository.close(id, deps.now()),
    closeIdle: (idleMs: number): number => repository.closeIdle(deps.now() - idleMs, deps.now()),
  };
}
