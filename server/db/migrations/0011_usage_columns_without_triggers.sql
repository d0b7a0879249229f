-- Budget usage is no longer kept by triggers that read reservation metadata as JSON: the rule is
-- written once, in TypeScript (server/domain/governance/budget.ts, reservationUsage), and governance
-- applies it to these typed columns inside the ledger's own transaction (a ReservationObserver).
-- Refund credits get a typed column of their own, so recording a refund is one more column to add to.
DROP TRIGGER IF EXISTS `governance_usage_on_reserve`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `governance_usage_on_resolve`;--> statement-breakpoint
ALTER TABLE `governance_credits` ADD `reserved_at_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `governance_month_usage` ADD `refund_credit_msat` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `governance_service_usage` ADD `refund_credit_msat` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `governance_task_usage` ADD `refund_credit_msat` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A credit recorded before this migration knew only its period: it counts from the period's start.
UPDATE `governance_credits` SET `reserved_at_ms` = coalesce((
  SELECT p.`starts_at_ms` FROM `governance_budget_periods` p
  WHERE p.`user_id` = `governance_credits`.`user_id` AND p.`period_key` = `governance_credits`.`period_key`), 0);--> statement-breakpoint
-- The backfill recomputes every total from the ledger's rows by the same rule the code applies
-- (pending = hold - fee allowance and fee reserve = the allowance while unresolved; posted = amount +
-- fee once posted; nothing once voided or expired). This is the last SQL that reads the metadata.
CREATE TEMP TABLE `usage_spends` AS
SELECT user_id, at, service, task,
  CASE WHEN resolution_kind IS NULL THEN amount - allowance ELSE 0 END AS pending,
  CASE WHEN resolution_kind IS NULL THEN allowance ELSE 0 END AS fee,
  CASE WHEN resolution_kind = 'post' THEN paid ELSE 0 END AS posted
FROM (
  SELECT r.`user_id` AS user_id, r.`created_at_ms` AS at, r.`amount_msat` AS amount,
    CASE WHEN json_type(r.`metadata_json`, '$.serviceId') = 'text' THEN json_extract(r.`metadata_json`, '$.serviceId') END AS service,
    CASE WHEN json_type(r.`metadata_json`, '$.taskId') = 'text' THEN json_extract(r.`metadata_json`, '$.taskId') END AS task,
    CASE WHEN json_type(r.`metadata_json`, '$.feeReserveMsat') = 'integer' AND json_extract(r.`metadata_json`, '$.feeReserveMsat') >= 0
      THEN min(json_extract(r.`metadata_json`, '$.feeReserveMsat'), r.`amount_msat`) ELSE 0 END AS allowance,
    res.`kind` AS resolution_kind, res.`amount_msat` + res.`fee_msat` AS paid
  FROM `ledger_transfers` r
  LEFT JOIN `ledger_transfers` res ON res.`pending_id` = r.`id`
  WHERE r.`kind` = 'reserve' AND r.`user_id` IS NOT NULL
);--> statement-breakpoint
UPDATE `governance_month_usage` SET
  `posted_msat` = (SELECT coalesce(sum(s.posted), 0) FROM `usage_spends` s
    WHERE s.user_id = `governance_month_usage`.`user_id` AND s.at >= `governance_month_usage`.`starts_at_ms` AND s.at < `governance_month_usage`.`ends_at_ms`),
  `pending_msat` = (SELECT coalesce(sum(s.pending), 0) FROM `usage_spends` s
    WHERE s.user_id = `governance_month_usage`.`user_id` AND s.at >= `governance_month_usage`.`starts_at_ms` AND s.at < `governance_month_usage`.`ends_at_ms`),
  `fee_reserve_msat` = (SELECT coalesce(sum(s.fee), 0) FROM `usage_spends` s
    WHERE s.user_id = `governance_month_usage`.`user_id` AND s.at >= `governance_month_usage`.`starts_at_ms` AND s.at < `governance_month_usage`.`ends_at_ms`),
  `refund_credit_msat` = (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c
    WHERE c.`user_id` = `governance_month_usage`.`user_id` AND c.`reserved_at_ms` >= `governance_month_usage`.`starts_at_ms` AND c.`reserved_at_ms` < `governance_month_usage`.`ends_at_ms`);--> statement-breakpoint
DELETE FROM `governance_service_usage`;--> statement-breakpoint
INSERT INTO `governance_service_usage`
  (`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`, `posted_msat`, `pending_msat`, `fee_reserve_msat`, `refund_credit_msat`)
SELECT m.`user_id`, m.`starts_at_ms`, m.`ends_at_ms`, s.service, sum(s.posted), sum(s.pending), sum(s.fee),
  (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c
    WHERE c.`user_id` = m.`user_id` AND c.`service_id` = s.service AND c.`reserved_at_ms` >= m.`starts_at_ms` AND c.`reserved_at_ms` < m.`ends_at_ms`)
FROM `governance_month_usage` m
JOIN `usage_spends` s ON s.user_id = m.`user_id` AND s.at >= m.`starts_at_ms` AND s.at < m.`ends_at_ms` AND s.service IS NOT NULL
GROUP BY m.`user_id`, m.`starts_at_ms`, m.`ends_at_ms`, s.service;--> statement-breakpoint
DELETE FROM `governance_task_usage`;--> statement-breakpoint
INSERT INTO `governance_task_usage`
  (`user_id`, `task_id`, `first_at_ms`, `last_at_ms`, `posted_msat`, `pending_msat`, `fee_reserve_msat`, `refund_credit_msat`)
SELECT s.user_id, s.task, min(s.at), max(s.at), sum(s.posted), sum(s.pending), sum(s.fee),
  (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c WHERE c.`user_id` = s.user_id AND c.`task_id` = s.task)
FROM `usage_spends` s WHERE s.task IS NOT NULL
GROUP BY s.user_id, s.task;--> statement-breakpoint
DROP TABLE `usage_spends`;
