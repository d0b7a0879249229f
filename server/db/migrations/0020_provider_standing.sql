CREATE TABLE `pause_policy` (
	`id` integer PRIMARY KEY NOT NULL,
	`threshold_bps` integer NOT NULL,
	`min_paid_calls` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`updated_by` text NOT NULL,
	CONSTRAINT "pause_policy_one_row" CHECK("pause_policy"."id" = 1),
	CONSTRAINT "pause_policy_threshold" CHECK("pause_policy"."threshold_bps" BETWEEN 1 AND 10000),
	CONSTRAINT "pause_policy_min_calls" CHECK("pause_policy"."min_paid_calls" >= 1)
);
--> statement-breakpoint
CREATE TABLE `provider_blocks` (
	`user_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`provider_name` text NOT NULL,
	`dispute_id` text,
	`blocked_at_ms` integer NOT NULL,
	PRIMARY KEY(`user_id`, `provider_id`)
);
--> statement-breakpoint
CREATE TABLE `service_pauses` (
	`service_id` text PRIMARY KEY NOT NULL,
	`provider_id` text NOT NULL,
	`paid_calls` integer NOT NULL,
	`non_delivery_bps` integer NOT NULL,
	`threshold_bps` integer NOT NULL,
	`paused_at_ms` integer NOT NULL
);
