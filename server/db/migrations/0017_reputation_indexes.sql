CREATE INDEX `payments_paid_at_idx` ON `payments` (`paid_at_ms`);--> statement-breakpoint
CREATE INDEX `disputes_created_idx` ON `disputes` (`created_at_ms`);--> statement-breakpoint
CREATE INDEX `disputes_refunded_idx` ON `disputes` (`refunded_at_ms`);