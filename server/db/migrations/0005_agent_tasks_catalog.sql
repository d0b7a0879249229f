CREATE TABLE `task_steps` (
	`task_id` text NOT NULL,
	`step_id` text NOT NULL,
	`position` integer NOT NULL,
	`service_id` text NOT NULL,
	`service_name` text NOT NULL,
	`provider_name` text NOT NULL,
	`status` text NOT NULL,
	`input_json` text,
	`idempotency_key` text NOT NULL,
	`payment_id` text,
	`amount_msat` integer,
	`fee_msat` integer,
	`outcome` text,
	`reason` text,
	`output_json` text,
	`judgement` text,
	`dispute_json` text,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_steps_pk` ON `task_steps` (`task_id`,`step_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `task_steps_idempotency` ON `task_steps` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`request` text NOT NULL,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`plan_json` text,
	`quote_json` text,
	`decision_json` text,
	`approval_id` text,
	`answer_json` text,
	`failure_json` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`started_at_ms` integer,
	`finished_at_ms` integer
);
--> statement-breakpoint
CREATE INDEX `tasks_user_created` ON `tasks` (`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `tasks_status` ON `tasks` (`status`);--> statement-breakpoint
CREATE TABLE `catalog_price_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service_id` text NOT NULL,
	`origin` text NOT NULL,
	`pricing_json` text NOT NULL,
	`price_msat` integer,
	`observed_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `catalog_price_history_service` ON `catalog_price_history` (`service_id`,`origin`,`observed_at_ms`);--> statement-breakpoint
CREATE TABLE `catalog_providers` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_user_id` text,
	`origin` text NOT NULL,
	`name` text,
	`services_json` text DEFAULT '[]' NOT NULL,
	`last_loaded_at_ms` integer,
	`last_error_json` text,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalog_providers_owner_origin` ON `catalog_providers` (`owner_user_id`,`origin`);