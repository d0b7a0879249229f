CREATE TABLE "work_leases" (
	"job" text COLLATE "C" NOT NULL,
	"item" text COLLATE "C" NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"expires_at_ms" bigint NOT NULL,
	PRIMARY KEY("job", "item")
);
