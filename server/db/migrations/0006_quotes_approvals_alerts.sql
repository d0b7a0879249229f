CREATE TABLE `quotes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`task_id` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`expires_at_ms` integer NOT NULL,
	`rate_usd_cents` integer NOT NULL,
	`rate_per_msat` integer NOT NULL,
	`steps_json` text NOT NULL,
	`total_msat_min` integer NOT NULL,
	`total_msat_max` integer NOT NULL,
	`total_usd_cents_min` integer NOT NULL,
	`total_usd_cents_max` integer NOT NULL,
	CONSTRAINT "quotes_range" CHECK("quotes"."total_msat_min" >= 0 AND "quotes"."total_msat_min" <= "quotes"."total_msat_max"),
	CONSTRAINT "quotes_rate_positive" CHECK("quotes"."rate_usd_cents" > 0 AND "quotes"."rate_per_msat" > 0),
	CONSTRAINT "quotes_expiry" CHECK("quotes"."created_at_ms" < "quotes"."expires_at_ms")
);
--> statement-breakpoint
CREATE INDEX `quotes_user_task_idx` ON `quotes` (`user_id`,`task_id`);--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`task_id` text NOT NULL,
	`quote_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`decision_kind` text NOT NULL,
	`decision_json` text NOT NULL,
	`why` text NOT NULL,
	`max_msat` integer NOT NULL,
	`step_max_msat_json` text NOT NULL,
	`overage_msat` integer,
	`overage_reason` text,
	`drift_step_id` text,
	`expires_at_ms` integer NOT NULL,
	`resolved_at_ms` integer,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`quote_id`) REFERENCES `quotes`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "approvals_resolved" CHECK(("approvals"."status" = 'pending') = ("approvals"."resolved_at_ms" IS NULL)),
	CONSTRAINT "approvals_max_msat" CHECK("approvals"."max_msat" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_quote_unique` ON `approvals` (`quote_id`);--> statement-breakpoint
CREATE INDEX `approvals_user_status_idx` ON `approvals` (`user_id`,`status`);--> statement-breakpoint
CREATE INDEX `approvals_user_task_idx` ON `approvals` (`user_id`,`task_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`data_json` text,
	`dedupe_key` text,
	`created_at_ms` integer NOT NULL,
	`read_at_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_user_dedupe_unique` ON `alerts` (`user_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `alerts_user_created_idx` ON `alerts` (`user_id`,`created_at_ms`);