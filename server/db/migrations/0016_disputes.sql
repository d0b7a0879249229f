CREATE TABLE `disputes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`task_id` text NOT NULL,
	`step_id` text NOT NULL,
	`payment_id` text NOT NULL,
	`status` text NOT NULL,
	`category` text NOT NULL,
	`opened_by` text NOT NULL,
	`reason` text NOT NULL,
	`disputed_msat` integer NOT NULL,
	`refund_msat` integer DEFAULT 0 NOT NULL,
	`operator_note` text,
	`evidence_json` text NOT NULL,
	`transitions_json` text NOT NULL,
	`refund_invoice` text,
	`refund_payment_hash` text,
	`refund_attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at_ms` integer,
	`last_error` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`refunded_at_ms` integer,
	CONSTRAINT "disputes_refund_bounded" CHECK("disputes"."refund_msat" >= 0 AND "disputes"."refund_msat" <= "disputes"."disputed_msat")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_step_unique` ON `disputes` (`user_id`,`task_id`,`step_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_payment_unique` ON `disputes` (`payment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_refund_hash_unique` ON `disputes` (`refund_payment_hash`);--> statement-breakpoint
CREATE INDEX `disputes_user_created_idx` ON `disputes` (`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `disputes_status_idx` ON `disputes` (`status`,`next_attempt_at_ms`);