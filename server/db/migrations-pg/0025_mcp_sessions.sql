-- Open MCP sessions, in the database so any instance can serve a request for one (server/mcp/http.ts).
CREATE TABLE "mcp_sessions" (
  "id" text COLLATE "C" NOT NULL,
  "key_id" text COLLATE "C" NOT NULL,
  "user_id" text COLLATE "C" NOT NULL,
  "created_at_ms" bigint NOT NULL,
  "last_seen_at_ms" bigint NOT NULL,
  "closed_at_ms" bigint,
  PRIMARY KEY ("id"),
  FOREIGN KEY ("key_id") REFERENCES "agent_keys" ("id")
);
--> statement-breakpoint
CREATE INDEX "mcp_sessions_key_open" ON "mcp_sessions" ("key_id", "closed_at_ms", "created_at_ms");
--> statement-breakpoint
CREATE INDEX "mcp_sessions_last_seen" ON "mcp_sessions" ("closed_at_ms", "last_seen_at_ms");
