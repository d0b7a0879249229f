-- The fold mark: every transfer up to it is in ledger_reservations_by_user and ledger_pending_holds,
-- which SQLite's single writer now both fills in batches (server/db/repositories/ledger-folds.ts).
-- The reservations an unclean stop left unindexed are indexed here, and the holds are exact as they
-- stand (written with each transfer until now), so the mark starts at the newest transfer.
CREATE TABLE `ledger_fold_mark` (
	`id` integer PRIMARY KEY NOT NULL,
	`through_transfer_id` integer NOT NULL,
	CONSTRAINT "ledger_fold_mark_one_row" CHECK("ledger_fold_mark"."id" = 1)
);
--> statement-breakpoint
INSERT INTO `ledger_reservations_by_user` (`transfer_id`, `user_id`, `created_at_ms`)
	SELECT `id`, `user_id`, `created_at_ms` FROM `ledger_transfers`
	WHERE `id` > (SELECT coalesce(max(`transfer_id`), 0) FROM `ledger_reservations_by_user`) AND `kind` = 'reserve' AND `user_id` IS NOT NULL
	ORDER BY `id`;--> statement-breakpoint
INSERT INTO `ledger_fold_mark` (`id`, `through_transfer_id`) SELECT 1, coalesce(max(`id`), 0) FROM `ledger_transfers`;
