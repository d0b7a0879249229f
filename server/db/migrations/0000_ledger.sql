CREATE TABLE `ledger_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	`owner_user_id` text,
	`floor` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	CONSTRAINT "ledger_accounts_floor_valid" CHECK("ledger_accounts"."floor" IN ('non_negative', 'unbounded'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_accounts_code_unique` ON `ledger_accounts` (`code`);--> statement-breakpoint
CREATE INDEX `ledger_accounts_owner_idx` ON `ledger_accounts` (`owner_user_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`transfer_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`amount_msat` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ledger_entries_amount_non_zero" CHECK("ledger_entries"."amount_msat" <> 0)
);
--> statement-breakpoint
CREATE INDEX `ledger_entries_account_amount_idx` ON `ledger_entries` (`account_id`,`amount_msat`);--> statement-breakpoint
CREATE INDEX `ledger_entries_transfer_idx` ON `ledger_entries` (`transfer_id`);--> statement-breakpoint
CREATE TABLE `ledger_transfers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`idempotency_key` text,
	`request_json` text NOT NULL,
	`kind` text NOT NULL,
	`pending_id` integer,
	`debit_account_id` integer NOT NULL,
	`credit_account_id` integer NOT NULL,
	`destination_account_id` integer,
	`user_id` text,
	`amount_msat` integer NOT NULL,
	`fee_msat` integer DEFAULT 0 NOT NULL,
	`expires_at_ms` integer,
	`reason` text,
	`metadata_json` text,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`pending_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`debit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`destination_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ledger_transfers_kind_valid" CHECK("ledger_transfers"."kind" IN ('transfer', 'reserve', 'post', 'void', 'expire')),
	CONSTRAINT "ledger_transfers_amounts_non_negative" CHECK("ledger_transfers"."amount_msat" >= 0 AND "ledger_transfers"."fee_msat" >= 0),
	CONSTRAINT "ledger_transfers_resolution_has_pending" CHECK(("ledger_transfers"."kind" IN ('post', 'void', 'expire')) = ("ledger_transfers"."pending_id" IS NOT NULL)),
	CONSTRAINT "ledger_transfers_key_present" CHECK("ledger_transfers"."idempotency_key" IS NOT NULL OR "ledger_transfers"."kind" = 'expire')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_idempotency_key_unique` ON `ledger_transfers` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_pending_id_unique` ON `ledger_transfers` (`pending_id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_user_kind_idx` ON `ledger_transfers` (`user_id`,`kind`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_kind_expires_idx` ON `ledger_transfers` (`kind`,`expires_at_ms`);