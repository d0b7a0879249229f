-- A task's usage row is keyed by task first: task ids now grow with time (UUIDv7), so the tasks still
-- spending are the table's last rows and the pages a commit dirties are shared. No table references it.
CREATE TABLE `__new_governance_task_usage` (
	`user_id` text NOT NULL,
	`task_id` text NOT NULL,
	`first_at_ms` integer NOT NULL,
	`last_at_ms` integer NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	`refund_credit_msat` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`task_id`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_governance_task_usage`("user_id", "task_id", "first_at_ms", "last_at_ms", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat") SELECT "user_id", "task_id", "first_at_ms", "last_at_ms", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat" FROM `governance_task_usage`;--> statement-breakpoint
DROP TABLE `governance_task_usage`;--> statement-breakpoint
ALTER TABLE `__new_governance_task_usage` RENAME TO `governance_task_usage`;
