ALTER TABLE `payments` ADD `response_bytes` integer;--> statement-breakpoint
ALTER TABLE `payments` ADD `delivery_detail` text;--> statement-breakpoint
ALTER TABLE `payments` ADD `delivery_requested_at_ms` integer;--> statement-breakpoint
ALTER TABLE `catalog_providers` ADD `refused_json` text DEFAULT '[]' NOT NULL;