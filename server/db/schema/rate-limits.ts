// Attempts counted against a rate limit (server/domain/rate-limits): one fixed window per limit and
// subject (a client address or a person), kept in the database so that every instance sharing it counts
// the same attempts, and a restart forgets none. A row whose window has ended means nothing and is pruned.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const rateLimitWindows = sqliteTable(
  'rate_limit_windows',
  {
    // Which limit ('sign_in', 'mcp_call', ...; domain/rate-limits names them all).
    limitName: text('limit_name').notNull(),
    // Whom it counts: `ip:<address>`, `person:<user id>` or `key:<agent key id>`.
    subject: text('subject').notNull(),
    windowStartedAtMs: integer('window_started_at_ms').notNull(),
    windowEndsAtMs: integer('window_ends_at_ms').notNull(),
    // Attempts in this window, refused ones included.
    attempts: integer('attempts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.limitName, t.subject] }), index('rate_limit_windows_ends_idx').on(t.windowEndsAtMs)],
);

export type RateLimitWindowRow = typeof rateLimitWindows.$inferSelect;
