CREATE TABLE `ledger_balances` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`balance_msat` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `governance_month_usage` (
	`user_id` text NOT NULL,
	`starts_at_ms` integer NOT NULL,
	`ends_at_ms` integer NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	PRIMARY KEY(`user_id`, `starts_at_ms`, `ends_at_ms`),
	CONSTRAINT "governance_month_usage_bounds" CHECK("governance_month_usage"."starts_at_ms" < "governance_month_usage"."ends_at_ms")
);
--> statement-breakpoint
CREATE TABLE `governance_service_usage` (
	`user_id` text NOT NULL,
	`starts_at_ms` integer NOT NULL,
	`ends_at_ms` integer NOT NULL,
	`service_id` text NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	PRIMARY KEY(`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`)
);
--> statement-breakpoint
CREATE TABLE `governance_task_usage` (
	`user_id` text NOT NULL,
	`task_id` text NOT NULL,
	`first_at_ms` integer NOT NULL,
	`last_at_ms` integer NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	PRIMARY KEY(`user_id`, `task_id`)
);
