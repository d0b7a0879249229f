CREATE TABLE `governance_alerts_fired` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`period_key` text NOT NULL,
	`threshold_percent` integer NOT NULL,
	`fired_at_ms` integer NOT NULL,
	CONSTRAINT "governance_alerts_fired_percent" CHECK("governance_alerts_fired"."threshold_percent" BETWEEN 1 AND 100)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `governance_alerts_fired_unique` ON `governance_alerts_fired` (`user_id`,`period_key`,`threshold_percent`);--> statement-breakpoint
CREATE TABLE `governance_budget_periods` (
	`user_id` text NOT NULL,
	`period_key` text NOT NULL,
	`time_zone` text NOT NULL,
	`starts_at_ms` integer NOT NULL,
	`ends_at_ms` integer NOT NULL,
	`limit_json` text,
	`first_seen_at_ms` integer NOT NULL,
	PRIMARY KEY(`user_id`, `period_key`),
	CONSTRAINT "governance_budget_periods_bounds" CHECK("governance_budget_periods"."starts_at_ms" < "governance_budget_periods"."ends_at_ms")
);
--> statement-breakpoint
CREATE TABLE `governance_credits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ledger_transfer_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`period_key` text NOT NULL,
	`service_id` text NOT NULL,
	`task_id` text,
	`amount_msat` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`ledger_transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "governance_credits_amount_positive" CHECK("governance_credits"."amount_msat" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `governance_credits_ledger_transfer_unique` ON `governance_credits` (`ledger_transfer_id`);--> statement-breakpoint
CREATE INDEX `governance_credits_user_period_idx` ON `governance_credits` (`user_id`,`period_key`);--> statement-breakpoint
CREATE INDEX `governance_credits_user_task_idx` ON `governance_credits` (`user_id`,`task_id`);--> statement-breakpoint
CREATE TABLE `governance_settings` (
	`user_id` text PRIMARY KEY NOT NULL,
	`settings_json` text NOT NULL,
	`updated_at_ms` integer NOT NULL
);
