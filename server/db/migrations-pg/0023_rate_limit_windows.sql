-- Rate limits are counted in the database, so every instance sharing it counts the same attempts (domain/rate-limits).
CREATE TABLE "rate_limit_windows" (
	"limit_name" text COLLATE "C" NOT NULL,
	"subject" text COLLATE "C" NOT NULL,
	"window_started_at_ms" bigint NOT NULL,
	"window_ends_at_ms" bigint NOT NULL,
	"attempts" bigint NOT NULL,
	CONSTRAINT "rate_limit_windows_limit_name_subject_pk" PRIMARY KEY("limit_name","subject")
);
--> statement-breakpoint
CREATE INDEX "rate_limit_windows_ends_idx" ON "rate_limit_windows" ("window_ends_at_ms");
