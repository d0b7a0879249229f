ALTER TABLE `payments` ADD `macaroon_sealed` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `token_expires_at_ms` integer;