-- Budget usage is no longer kept by triggers that read reservation metadata as JSON: the rule is
-- written once, in TypeScript (server/domain/governance/budget.ts, reservationUsage), and governance
-- applies it to these typed columns inside the ledger's own transaction (a ReservationObserver).
-- Refund credits get a typed column of their own, so recording a refund is one more column to add to.
DROP TRIGGER IF EXISTS `governance_usage_on_reserve`;--> statement-breakpoint
DROP TRIGGER IF EXISTS `governance_usage_on_resolve`;--> statement-breakpoint
ALTER TABLE `governance_credits` ADD `reserved_at_ms` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
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
-- The totals tables are rebuilt WITHOUT ROWID: a row is then found by one descent of its primary
-- key's B-tree instead of the key's index and then the table, and an update touches one tree. A
-- budget check reads three of these rows twice and the reservation updates three.
CREATE TABLE `governance_month_usage_next` (
  `user_id` text NOT NULL,
  `starts_at_ms` integer NOT NULL,
  `ends_at_ms` integer NOT NULL,
  `posted_msat` integer NOT NULL,
  `pending_msat` integer NOT NULL,
  `fee_reserve_msat` integer NOT NULL,
  `refund_credit_msat` integer DEFAULT 0 NOT NULL,
  PRIMARY KEY(`user_id`, `starts_at_ms`, `ends_at_ms`),
  CONSTRAINT "governance_month_usage_bounds" CHECK(`starts_at_ms` < `ends_at_ms`)
) WITHOUT ROWID;--> statement-breakpoint
INSERT INTO `governance_month_usage_next`
SELECT m.`user_id`, m.`starts_at_ms`, m.`ends_at_ms`,
  (SELECT coalesce(sum(s.posted), 0) FROM `usage_spends` s WHERE s.user_id = m.`user_id` AND s.at >= m.`starts_at_ms` AND s.at < m.`ends_at_ms`),
  (SELECT coalesce(sum(s.pending), 0) FROM `usage_spends` s WHERE s.user_id = m.`user_id` AND s.at >= m.`starts_at_ms` AND s.at < m.`ends_at_ms`),
  (SELECT coalesce(sum(s.fee), 0) FROM `usage_spends` s WHERE s.user_id = m.`user_id` AND s.at >= m.`starts_at_ms` AND s.at < m.`ends_at_ms`),
  (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c
    WHERE c.`user_id` = m.`user_id` AND c.`reserved_at_ms` >= m.`starts_at_ms` AND c.`reserved_at_ms` < m.`ends_at_ms`)
FROM `governance_month_usage` m;--> statement-breakpoint
DROP TABLE `governance_month_usage`;--> statement-breakpoint
ALTER TABLE `governance_month_usage_next` RENAME TO `governance_month_usage`;--> statement-breakpoint
CREATE TABLE `governance_service_usage_next` (
  `user_id` text NOT NULL,
  `starts_at_ms` integer NOT NULL,
  `ends_at_ms` integer NOT NULL,
  `service_id` text NOT NULL,
  `posted_msat` integer NOT NULL,
  `pending_msat` integer NOT NULL,
  `fee_reserve_msat` integer NOT NULL,
  `refund_credit_msat` integer DEFAULT 0 NOT NULL,
  PRIMARY KEY(`user_id`, `starts_at_ms`, `ends_at_ms`, `service_id`)
) WITHOUT ROWID;--> statement-breakpoint
INSERT INTO `governance_service_usage_next`
SELECT m.`user_id`, m.`starts_at_ms`, m.`ends_at_ms`, s.service, sum(s.posted), sum(s.pending), sum(s.fee),
  (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c
    WHERE c.`user_id` = m.`user_id` AND c.`service_id` = s.service AND c.`reserved_at_ms` >= m.`starts_at_ms` AND c.`reserved_at_ms` < m.`ends_at_ms`)
FROM `governance_month_usage` m
JOIN `usage_spends` s ON s.user_id = m.`user_id` AND s.at >= m.`starts_at_ms` AND s.at < m.`ends_at_ms` AND s.service IS NOT NULL
GROUP BY m.`user_id`, m.`starts_at_ms`, m.`ends_at_ms`, s.service;--> statement-breakpoint
DROP TABLE `governance_service_usage`;--> statement-breakpoint
ALTER TABLE `governance_service_usage_next` RENAME TO `governance_service_usage`;--> statement-breakpoint
CREATE TABLE `governance_task_usage_next` (
  `user_id` text NOT NULL,
  `task_id` text NOT NULL,
  `first_at_ms` integer NOT NULL,
  `last_at_ms` integer NOT NULL,
  `posted_msat` integer NOT NULL,
  `pending_msat` integer NOT NULL,
  `fee_reserve_msat` integer NOT NULL,
  `refund_credit_msat` integer DEFAULT 0 NOT NULL,
  PRIMARY KEY(`user_id`, `task_id`)
) WITHOUT ROWID;--> statement-breakpoint
INSERT INTO `governance_task_usage_next`
SELECT s.user_id, s.task, min(s.at), max(s.at), sum(s.posted), sum(s.pending), sum(s.fee),
  (SELECT coalesce(sum(c.`amount_msat`), 0) FROM `governance_credits` c WHERE c.`user_id` = s.user_id AND c.`task_id` = s.task)
FROM `usage_spends` s WHERE s.task IS NOT NULL
GROUP BY s.user_id, s.task;--> statement-breakpoint
DROP TABLE `governance_task_usage`;--> statement-breakpoint
ALTER TABLE `governance_task_usage_next` RENAME TO `governance_task_usage`;--> statement-breakpoint
DROP TABLE `usage_spends`;
