DROP INDEX `ledger_entries_account_amount_idx`;--> statement-breakpoint
DROP INDEX `ledger_entries_transfer_idx`;--> statement-breakpoint
DROP INDEX `ledger_transfers_user_kind_idx`;--> statement-breakpoint
DROP INDEX `ledger_transfers_kind_expires_idx`;--> statement-breakpoint
DROP INDEX `ledger_transfers_pending_id_unique`;--> statement-breakpoint
CREATE INDEX `ledger_transfers_reserve_user_idx` ON `ledger_transfers` (`user_id`,`created_at_ms`) WHERE kind = 'reserve';--> statement-breakpoint
CREATE INDEX `ledger_transfers_reserve_expires_idx` ON `ledger_transfers` (`expires_at_ms`) WHERE kind = 'reserve';--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_pending_id_unique` ON `ledger_transfers` (`pending_id`) WHERE pending_id IS NOT NULL;