// Agent keys: credentials a person gives an AI agent (an MCP client) so it can spend for them under
// limits narrower than their own. Only the key's SHA-256 is kept (the key is 256 random bits, so a
// fast hash is enough); the key itself is shown once, when it is made.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const agentKeys = sqliteTable(
  'agent_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    // The first characters of the key, so a person can tell their keys apart; never enough to use.
    keyPrefix: text('key_prefix').notNull(),
    monthlyCapMsat: integer('monthly_cap_msat').notNull(),
    perCallCapMsat: integer('per_call_cap_msat').notNull(),
    // JSON array of catalog service ids or origins the key may pay; null: every service in the catalog.
    allowedJson: text('allowed_json'),
    // false: every spend asks the person, whatever their auto tier says.
    mayAutoSpend: integer('may_auto_spend', { mode: 'boolean' }).notNull(),
    expiresAtMs: integer('expires_at_ms'),
    revokedAtMs: integer('revoked_at_ms'),
    lastUsedAtMs: integer('last_used_at_ms'),
    createdAtMs: integer('created_at_ms').notNull(),
  },
  (t) => [
    uniqueIndex('agent_keys_hash_unique').on(t.keyHash),
    index('agent_keys_user_idx').on(t.userId, t.createdAtMs),
    check('agent_keys_caps', sql`${t.monthlyCapMsat} >= 0 AND ${t.perCallCapMsat} >= 0`),
  ],
);

/**
 * What each key's purchases cost, one row per payment: the hold (invoice + fee allowance), written in
 * the payment's write-ahead transaction, then amount + fee once settled (0 when it failed): the key's
 * month is the sum of these.
 */
export const agentKeySpends = sqliteTable(
  'agent_key_spends',
  {
    paymentId: text('payment_id').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => agentKeys.id),
    userId: text('user_id').notNull(),
    spentMsat: integer('spent_msat').notNull(),
    atMs: integer('at_ms').notNull(),
  },
  (t) => [index('agent_key_spends_key_at').on(t.keyId, t.atMs)],
);

export type AgentKeyRow = typeof agentKeys.$inferSelect;
export type NewAgentKeyRow = typeof agentKeys.$inferInsert;

/**
 * Open MCP sessions (Streamable HTTP, server/mcp/http.ts), in the database so any instance behind a
 * load balancer can serve a request for one, and a key's open sessions are counted across instances.
 * `closed_at_ms` is set by DELETE, by the per-key limit closing the oldest, or by idleness; a closed
 * session is refused everywhere.
 */
export const mcpSessions = sqliteTable(
  'mcp_sessions',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => agentKeys.id),
    userId: text('user_id').notNull(),
    createdAtMs: integer('created_at_ms').notNull(),
    lastSeenAtMs: integer('last_seen_at_ms').notNull(),
    closedAtMs: integer('closed_at_ms'),
  },
  (t) => [index('mcp_sessions_key_open').on(t.keyId, t.closedAtMs, t.createdAtMs), index('mcp_sessions_last_seen').on(t.closedAtMs, t.lastSeenAtMs)],
);

export type McpSessionRow = typeof mcpSessions.$inferSelect;
