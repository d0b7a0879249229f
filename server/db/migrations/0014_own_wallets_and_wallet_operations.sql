CREATE TABLE `own_wallets` (
	`user_id` text PRIMARY KEY NOT NULL,
	`nwc_url_ciphertext` text NOT NULL,
	`alias` text NOT NULL,
	`connected_at_ms` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `wallet_operations` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`payment_hash` text NOT NULL,
	`invoice` text NOT NULL,
	`amount_msat` integer NOT NULL,
	`fee_allowance_msat` integer NOT NULL,
	`fee_msat` integer,
	`failure_reason` text,
	`expires_at_ms` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`settled_at_ms` integer,
	CONSTRAINT "wallet_operations_amount_positive" CHECK("wallet_operations"."amount_msat" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `wallet_operations_kind_hash_unique` ON `wallet_operations` (`kind`,`payment_hash`);--> statement-breakpoint
CREATE INDEX `wallet_operations_user_idx` ON `wallet_operations` (`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `wallet_operations_open_idx` ON `wallet_operations` (`status`) WHERE status IN ('open', 'reserved', 'paying');--> statement-breakpoint
CREATE TABLE `wallet_sync` (
	`user_id` text PRIMARY KEY NOT NULL,
	`since_ms` integer NOT NULL,
	`last_drift_msat` integer,
	`checked_at_ms` integer
);
