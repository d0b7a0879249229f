-- A user's reservations by time move from an index on ledger_transfers to a table of their own, which
-- SQLite's single writer fills in batches (server/db/repositories/reservations-by-user.ts). Every
-- existing reservation is indexed here, so none lies after the last one indexed.
CREATE TABLE `ledger_reservations_by_user` (
	`transfer_id` integer PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`transfer_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_reservations_by_user_idx` ON `ledger_reservations_by_user` (`user_id`,`created_at_ms`);--> statement-breakpoint
INSERT INTO `ledger_reservations_by_user` (`transfer_id`, `user_id`, `created_at_ms`)
	SELECT `id`, `user_id`, `created_at_ms` FROM `ledger_transfers` WHERE `kind` = 'reserve' AND `user_id` IS NOT NULL ORDER BY `id`;--> statement-breakpoint
DROP INDEX `ledger_transfers_reserve_user_idx`;
