-- Payment indexes cover only the rows their readers ask for. A write-ahead inserts an unpaid row, which
-- the paid-at index leaves out; a settled payment leaves the open-status index, which stays as small as
-- the work in flight. Each index a write-ahead or settlement touches is B-tree work and pages at commit.
DROP INDEX `payments_status_idx`;--> statement-breakpoint
DROP INDEX `payments_paid_at_idx`;--> statement-breakpoint
CREATE INDEX `payments_open_status_idx` ON `payments` (`status`) WHERE status IN ('reserved', 'paying');--> statement-breakpoint
CREATE INDEX `payments_paid_at_idx` ON `payments` (`paid_at_ms`) WHERE paid_at_ms IS NOT NULL;
