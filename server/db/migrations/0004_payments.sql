CREATE TABLE `l402_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`origin` text NOT NULL,
	`service` text NOT NULL,
	`macaroon_sealed` text NOT NULL,
	`preimage_sealed` text NOT NULL,
	`expires_at_ms` integer,
	`payment_id` text,
	`created_at_ms` integer NOT NULL,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `l402_tokens_key_unique` ON `l402_tokens` (`user_id`,`origin`,`service`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`payment_hash` text NOT NULL,
	`reservation_id` integer NOT NULL,
	`status` text NOT NULL,
	`delivery` text DEFAULT 'pending' NOT NULL,
	`reason` text,
	`origin` text NOT NULL,
	`service` text NOT NULL,
	`service_id` text NOT NULL,
	`provider_id` text NOT NULL,
	`method` text NOT NULL,
	`url` text NOT NULL,
	`challenge_scheme` text NOT NULL,
	`macaroon_id_hex` text NOT NULL,
	`invoice` text NOT NULL,
	`invoice_expires_at_ms` integer NOT NULL,
	`amount_msat` integer NOT NULL,
	`fee_allowance_msat` integer NOT NULL,
	`fee_msat` integer,
	`preimage_hex` text,
	`http_status` integer,
	`response_sha256` text,
	`rate_json` text,
	`created_at_ms` integer NOT NULL,
	`paid_at_ms` integer,
	`resolved_at_ms` integer,
	`delivered_at_ms` integer,
	`updated_at_ms` integer NOT NULL,
	FOREIGN KEY (`reservation_id`) REFERENCES `ledger_transfers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "payments_amount_positive" CHECK("payments"."amount_msat" > 0),
	CONSTRAINT "payments_fee_nonnegative" CHECK("payments"."fee_msat" IS NULL OR "payments"."fee_msat" >= 0),
	CONSTRAINT "payments_hash_hex" CHECK(length("payments"."payment_hash") = 64)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_payment_hash_unique` ON `payments` (`payment_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_idempotency_key_unique` ON `payments` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `payments_reservation_unique` ON `payments` (`reservation_id`);--> statement-breakpoint
CREATE INDEX `payments_user_created_idx` ON `payments` (`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `payments_status_idx` ON `payments` (`status`);