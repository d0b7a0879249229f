-- Cached totals kept current by triggers, so they change in the same statement (and so the same
-- IMMEDIATE transaction) as the append-only ledger rows they summarise, whichever code or process
-- writes those rows. The ledger rows stay the truth: checkInvariants() (ledger) and
-- checkUsageTotals() (governance) recompute every total from them and compare.
--
-- ledger_balances: each account's balance = the sum of its entries. Existing accounts are backfilled.
INSERT INTO `ledger_balances` (`account_id`, `balance_msat`)
SELECT `account_id`, sum(`amount_msat`) FROM `ledger_entries` GROUP BY `account_id`;
--> statement-breakpoint
CREATE TRIGGER `ledger_balances_follow_entries` AFTER INSERT ON `ledger_entries`
BEGIN
  INSERT INTO `ledger_balances` (`account_id`, `balance_msat`) VALUES (NEW.`account_id`, NEW.`amount_msat`)
  ON CONFLICT (`account_id`) DO UPDATE SET `balance_msat` = `balance_msat` + excluded.`balance_msat`;
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_balances_no_delete` BEFORE DELETE ON `ledger_balances`
BEGIN SELECT RAISE(ABORT, 'ledger_balances follows ledger_entries, which are never deleted'); END;
--> statement-breakpoint
-- Budget usage (see server/db/repositories/governance-repository.ts for the definition these
-- totals cache). A reservation adds its hold to pending (less its fee allowance, metadata
-- feeReserveMsat) and fee reserve; its resolution takes both back out and, for a post, adds amount +
-- fee to posted. Month windows are created by the first budget check in them (from a scan), so the
-- triggers only update windows that exist; service rows are created here for every existing window
-- that contains the reservation; task rows are created here (and backfilled below).
INSERT INTO `governance_task_usage`
  (`user_id`, `task_id`, `first_at_ms`, `last_at_ms`, `posted_msat`, `pending_msat`, `fee_reserve_msat`)
SELECT r.`user_id`, json_extract(r.`metadata_json`, '$.taskId'), min(r.`created_at_ms`), max(r.`created_at_ms`),
  sum(CASE WHEN res.`kind` = 'post' THEN res.`amount_msat` + res.`fee_msat` ELSE 0 END),
  sum(CASE WHEN res.`id` IS NULL
    THEN r.`amount_msat` - coalesce(json_extract(r.`metadata_json`, '$.feeReserveMsat'), 0) ELSE 0 END),
  sum(CASE WHEN res.`id` IS NULL THEN coalesce(json_extract(r.`metadata_json`, '$.feeReserveMsat'), 0) ELSE 0 END)
FROM `ledger_transfers` r
LEFT JOIN `ledger_transfers` res ON res.`pending_id` = r.`id`
WHERE r.`kind` = 'reserve' AND r.`user_id` IS NOT NULL AND json_type(r.`metadata_json`, '$.taskId') = 'text'
GROUP BY r.`user_id`, json_extract(r.`metadata_json`, '$.taskId');
--> statement-breakpoint
CREATE TRIGGER `governance_usage_on_reserve` AFTER INSERT ON `ledger_transfers`
WHEN NEW.`kind` = 'reserve' AND NEW.`user_id` IS NOT NULL
BEGIN
  UPDATE `governance_month_usage` SET
    `pending_msat` = `pending_msat` + NEW.`amount_msat` - coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0),
    `fee_reserve_msat` = `fee_reserve_msat` + coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0)
  WHERE `user_id` = NEW.`user_id` AND `starts_at_ms` <= NEW.`created_at_ms` AND `ends_at_ms` > NEW.`created_at_ms`;

  INSERT INTO `governance_service_usage`
    (`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`, `posted_msat`, `pending_msat`, `fee_reserve_msat`)
  SELECT `user_id`, `starts_at_ms`, `ends_at_ms`, json_extract(NEW.`metadata_json`, '$.serviceId'), 0,
    NEW.`amount_msat` - coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0),
    coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0)
  FROM `governance_month_usage`
  WHERE `user_id` = NEW.`user_id` AND `starts_at_ms` <= NEW.`created_at_ms` AND `ends_at_ms` > NEW.`created_at_ms`
    AND json_type(NEW.`metadata_json`, '$.serviceId') = 'text'
  ON CONFLICT (`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`) DO UPDATE SET
    `pending_msat` = `pending_msat` + excluded.`pending_msat`,
    `fee_reserve_msat` = `fee_reserve_msat` + excluded.`fee_reserve_msat`;

  INSERT INTO `governance_task_usage`
    (`user_id`, `task_id`, `first_at_ms`, `last_at_ms`, `posted_msat`, `pending_msat`, `fee_reserve_msat`)
  SELECT NEW.`user_id`, json_extract(NEW.`metadata_json`, '$.taskId'), NEW.`created_at_ms`, NEW.`created_at_ms`, 0,
    NEW.`amount_msat` - coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0),
    coalesce(json_extract(NEW.`metadata_json`, '$.feeReserveMsat'), 0)
  WHERE json_type(NEW.`metadata_json`, '$.taskId') = 'text'
  ON CONFLICT (`user_id`, `task_id`) DO UPDATE SET
    `first_at_ms` = min(`first_at_ms`, excluded.`first_at_ms`),
    `last_at_ms` = max(`last_at_ms`, excluded.`last_at_ms`),
    `pending_msat` = `pending_msat` + excluded.`pending_msat`,
    `fee_reserve_msat` = `fee_reserve_msat` + excluded.`fee_reserve_msat`;
END;
--> statement-breakpoint
CREATE TRIGGER `governance_usage_on_resolve` AFTER INSERT ON `ledger_transfers`
WHEN NEW.`pending_id` IS NOT NULL
BEGIN
  UPDATE `governance_month_usage` SET
    `posted_msat` = `posted_msat` + CASE WHEN NEW.`kind` = 'post' THEN NEW.`amount_msat` + NEW.`fee_msat` ELSE 0 END,
    `pending_msat` = `pending_msat` - r.`pending`,
    `fee_reserve_msat` = `fee_reserve_msat` - r.`fee`
  FROM (
    SELECT `user_id`, `created_at_ms` AS `at`,
      `amount_msat` - coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `pending`,
      coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `fee`
    FROM `ledger_transfers` WHERE `id` = NEW.`pending_id` AND `kind` = 'reserve'
  ) AS r
  WHERE `governance_month_usage`.`user_id` = r.`user_id`
    AND `starts_at_ms` <= r.`at` AND `ends_at_ms` > r.`at`;

  UPDATE `governance_service_usage` SET
    `posted_msat` = `posted_msat` + CASE WHEN NEW.`kind` = 'post' THEN NEW.`amount_msat` + NEW.`fee_msat` ELSE 0 END,
    `pending_msat` = `pending_msat` - r.`pending`,
    `fee_reserve_msat` = `fee_reserve_msat` - r.`fee`
  FROM (
    SELECT `user_id`, `created_at_ms` AS `at`, json_extract(`metadata_json`, '$.serviceId') AS `service`,
      `amount_msat` - coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `pending`,
      coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `fee`
    FROM `ledger_transfers`
    WHERE `id` = NEW.`pending_id` AND `kind` = 'reserve' AND json_type(`metadata_json`, '$.serviceId') = 'text'
  ) AS r
  WHERE `governance_service_usage`.`user_id` = r.`user_id` AND `service_id` = r.`service`
    AND `starts_at_ms` <= r.`at` AND `ends_at_ms` > r.`at`;

  UPDATE `governance_task_usage` SET
    `posted_msat` = `posted_msat` + CASE WHEN NEW.`kind` = 'post' THEN NEW.`amount_msat` + NEW.`fee_msat` ELSE 0 END,
    `pending_msat` = `pending_msat` - r.`pending`,
    `fee_reserve_msat` = `fee_reserve_msat` - r.`fee`
  FROM (
    SELECT `user_id`, json_extract(`metadata_json`, '$.taskId') AS `task`,
      `amount_msat` - coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `pending`,
      coalesce(json_extract(`metadata_json`, '$.feeReserveMsat'), 0) AS `fee`
    FROM `ledger_transfers`
    WHERE `id` = NEW.`pending_id` AND `kind` = 'reserve' AND json_type(`metadata_json`, '$.taskId') = 'text'
  ) AS r
  WHERE `governance_task_usage`.`user_id` = r.`user_id` AND `task_id` = r.`task`;
END;
