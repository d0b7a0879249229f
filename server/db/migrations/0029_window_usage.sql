-- A window's total and its services' totals in one table keyed by person first, so a spend dirties one
-- page of it instead of one page in each of two tables. The window's total is the row with service_id
-- ''. A service row with an empty id (no such service exists; it now counts as none) is not kept.
-- No table references either old one.
CREATE TABLE `governance_window_usage` (
	`user_id` text NOT NULL,
	`starts_at_ms` integer NOT NULL,
	`ends_at_ms` integer NOT NULL,
	`service_id` text NOT NULL,
	`posted_msat` integer NOT NULL,
	`pending_msat` integer NOT NULL,
	`fee_reserve_msat` integer NOT NULL,
	`refund_credit_msat` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`),
	CONSTRAINT "governance_window_usage_bounds" CHECK("governance_window_usage"."starts_at_ms" < "governance_window_usage"."ends_at_ms")
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `governance_window_usage`("user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat") SELECT "user_id", "starts_at_ms", "ends_at_ms", '', "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat" FROM `governance_month_usage`;--> statement-breakpoint
INSERT INTO `governance_window_usage`("user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat") SELECT "user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat" FROM `governance_service_usage` WHERE "service_id" <> '';--> statement-breakpoint
DROP TABLE `governance_month_usage`;--> statement-breakpoint
DROP TABLE `governance_service_usage`;
