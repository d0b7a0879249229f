CREATE TABLE `provider_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`dispute_id` text NOT NULL,
	`user_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`service_id` text NOT NULL,
	`amount_msat` integer NOT NULL,
	`reason` text NOT NULL,
	`detail` text,
	`status` text NOT NULL,
	`note` text,
	`settled_by` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`settled_at_ms` integer,
	CONSTRAINT "provider_claims_amount_positive" CHECK("provider_claims"."amount_msat" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provider_claims_dispute_unique` ON `provider_claims` (`dispute_id`);--> statement-breakpoint
CREATE INDEX `provider_claims_status_idx` ON `provider_claims` (`status`,`created_at_ms`);--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_step` text;--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_invoice` text;--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_payment_hash` text;--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_invoice_expires_at_ms` integer;--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_answer` text;--> statement-breakpoint
ALTER TABLE `disputes` ADD `provider_answer_detail` text;--> statement-breakpoint
ALTER TABLE `disputes` ADD `refund_source` text;--> statement-breakpoint
CREATE UNIQUE INDEX `disputes_provider_hash_unique` ON `disputes` (`provider_payment_hash`);--> statement-breakpoint
-- Refunds paid before provider refunds existed were all the treasury's.
UPDATE `disputes` SET `refund_source` = 'treasury' WHERE `status` = 'refunded';
