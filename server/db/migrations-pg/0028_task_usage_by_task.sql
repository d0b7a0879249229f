-- A task's usage row is keyed by task first (see the SQLite migration of the same name).
ALTER TABLE "governance_task_usage" DROP CONSTRAINT "governance_task_usage_pkey";
--> statement-breakpoint
ALTER TABLE "governance_task_usage" ADD PRIMARY KEY ("task_id", "user_id");
