CREATE TABLE `agent_key_spends` (
	`payment_id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`user_id` text NOT NULL,
	`spent_msat` integer NOT NULL,
	`at_ms` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `agent_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agent_key_spends_key_at` ON `agent_key_spends` (`key_id`,`at_ms`);--> statement-breakpoint
CREATE TABLE `agent_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`monthly_cap_msat` integer NOT NULL,
	`per_call_cap_msat` integer NOT NULL,
	`allowed_json` text,
	`may_auto_spend` integer NOT NULL,
	`expires_at_ms` integer,
	`revoked_at_ms` integer,
	`last_used_at_ms` integer,
	`created_at_ms` integer NOT NULL,
	CONSTRAINT "agent_keys_caps" CHECK("agent_keys"."monthly_cap_msat" >= 0 AND "agent_keys"."per_call_cap_msat" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agent_keys_hash_unique` ON `agent_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `agent_keys_user_idx` ON `agent_keys` (`user_id`,`created_at_ms`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `agent_key_id` text;--> statement-breakpoint
ALTER TABLE `approvals` ADD `agent_key_id` text;