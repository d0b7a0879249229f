CREATE TABLE `mcp_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`last_seen_at_ms` integer NOT NULL,
	`closed_at_ms` integer,
	FOREIGN KEY (`key_id`) REFERENCES `agent_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `mcp_sessions_key_open` ON `mcp_sessions` (`key_id`,`closed_at_ms`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `mcp_sessions_last_seen` ON `mcp_sessions` (`closed_at_ms`,`last_seen_at_ms`);