CREATE TABLE `stripe_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`outcome` text NOT NULL,
	`received_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `top_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`amount_usd_cents` integer NOT NULL,
	`amount_msat` integer NOT NULL,
	`rate_usd_cents` integer NOT NULL,
	`rate_per_msat` integer NOT NULL,
	`spread_bps` integer NOT NULL,
	`effective_cents_per_btc` integer NOT NULL,
	`stripe_session_id` text,
	`checkout_url` text,
	`payment_intent_id` text,
	`invoice` text,
	`payment_hash` text,
	`refunded_usd_cents` integer DEFAULT 0 NOT NULL,
	`disputed` integer DEFAULT false NOT NULL,
	`reversed_msat` integer DEFAULT 0 NOT NULL,
	`owed_msat` integer DEFAULT 0 NOT NULL,
	`funding_attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at_ms` integer,
	`last_error` text,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL,
	`funded_at_ms` integer,
	CONSTRAINT "top_ups_amounts_positive" CHECK("top_ups"."amount_usd_cents" > 0 AND "top_ups"."amount_msat" > 0),
	CONSTRAINT "top_ups_reversal_bounded" CHECK("top_ups"."reversed_msat" >= 0 AND "top_ups"."owed_msat" >= 0 AND "top_ups"."reversed_msat" + "top_ups"."owed_msat" <= "top_ups"."amount_msat")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `top_ups_stripe_session_unique` ON `top_ups` (`stripe_session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `top_ups_payment_hash_unique` ON `top_ups` (`payment_hash`);--> statement-breakpoint
CREATE INDEX `top_ups_user_created_idx` ON `top_ups` (`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `top_ups_payment_intent_idx` ON `top_ups` (`payment_intent_id`);--> statement-breakpoint
CREATE INDEX `top_ups_next_attempt_idx` ON `top_ups` (`next_attempt_at_ms`);