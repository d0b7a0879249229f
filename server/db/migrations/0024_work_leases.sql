CREATE TABLE `work_leases` (
	`job` text NOT NULL,
	`item` text NOT NULL,
	`holder` text NOT NULL,
	`expires_at_ms` integer NOT NULL,
	PRIMARY KEY(`job`, `item`)
);
