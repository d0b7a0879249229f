-- Reservations become holds that move no money: a user's pending holds are one running total here,
-- and the money a reservation made before this migration moved into the user's reserved account goes
-- back to their available account by one appended transfer per user (the ledger tables refuse UPDATE
-- and DELETE), so every reserved balance is 0 and available - pending is what it was.
CREATE TABLE `ledger_pending_holds` (
	`user_id` text PRIMARY KEY NOT NULL,
	`pending_msat` integer NOT NULL,
	CONSTRAINT "ledger_pending_holds_non_negative" CHECK("ledger_pending_holds"."pending_msat" >= 0)
);
--> statement-breakpoint
-- request_json is what the ledger's transfer() would have recorded (canonical JSON, keys sorted).
INSERT INTO `ledger_transfers` (`idempotency_key`, `request_json`, `kind`, `debit_account_id`, `credit_account_id`,
  `amount_msat`, `fee_msat`, `reason`, `created_at_ms`)
SELECT 'holds-migration:' || reserved.owner_user_id,
  '{"amountMsat":' || balance.balance_msat || ',"credit":' || json_quote(available.code) || ',"debit":' ||
    json_quote(reserved.code) || ',"metadata":null,"op":"transfer","reason":"holds_migration"}',
  'transfer', reserved.id, available.id, balance.balance_msat, 0, 'holds_migration',
  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM `ledger_accounts` reserved
JOIN `ledger_balances` balance ON balance.account_id = reserved.id AND balance.balance_msat <> 0
JOIN `ledger_accounts` available ON available.code = 'user:' || reserved.owner_user_id || ':available'
WHERE reserved.kind = 'user_reserved'
ORDER BY reserved.id;
--> statement-breakpoint
-- Its two entries; the trigger on ledger_entries keeps ledger_balances.
INSERT INTO `ledger_entries` (`transfer_id`, `account_id`, `amount_msat`, `created_at_ms`)
SELECT id, debit_account_id, -amount_msat, created_at_ms FROM `ledger_transfers`
WHERE `kind` = 'transfer' AND `reason` = 'holds_migration'
UNION ALL
SELECT id, credit_account_id, amount_msat, created_at_ms FROM `ledger_transfers`
WHERE `kind` = 'transfer' AND `reason` = 'holds_migration';
--> statement-breakpoint
INSERT INTO `ledger_pending_holds` (`user_id`, `pending_msat`)
SELECT r.user_id, sum(r.amount_msat) FROM `ledger_transfers` r
WHERE r.kind = 'reserve' AND NOT EXISTS (SELECT 1 FROM `ledger_transfers` x WHERE x.pending_id = r.id)
GROUP BY r.user_id;
