-- Usage changes the single writer has not yet added to the totals (schema/governance.ts).
CREATE TABLE `governance_usage_changes` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`at_ms` integer NOT NULL,
	`service_id` text,
	`task_id` text,
	`is_new` integer NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	`refund_credit_msat` integer NOT NULL
);
