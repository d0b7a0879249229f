-- A window's total and its services' totals in one table (see the SQLite migration of the same name).
CREATE TABLE "governance_window_usage" (
  "user_id" text COLLATE "C" NOT NULL,
  "starts_at_ms" bigint NOT NULL,
  "ends_at_ms" bigint NOT NULL,
  "service_id" text COLLATE "C" NOT NULL,
  "posted_msat" bigint NOT NULL,
  "pending_msat" bigint NOT NULL,
  "fee_reserve_msat" bigint NOT NULL,
  "refund_credit_msat" bigint DEFAULT 0 NOT NULL,
  PRIMARY KEY ("user_id", "starts_at_ms", "ends_at_ms", "service_id"),
  CONSTRAINT "governance_window_usage_bounds" CHECK ("starts_at_ms" < "ends_at_ms")
);
--> statement-breakpoint
INSERT INTO "governance_window_usage" ("user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat")
  SELECT "user_id", "starts_at_ms", "ends_at_ms", '', "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat" FROM "governance_month_usage";
--> statement-breakpoint
INSERT INTO "governance_window_usage" ("user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat")
  SELECT "user_id", "starts_at_ms", "ends_at_ms", "service_id", "posted_msat", "pending_msat", "fee_reserve_msat", "refund_credit_msat" FROM "governance_service_usage" WHERE "service_id" <> '';
--> statement-breakpoint
DROP TABLE "governance_month_usage";
--> statement-breakpoint
DROP TABLE "governance_service_usage";
