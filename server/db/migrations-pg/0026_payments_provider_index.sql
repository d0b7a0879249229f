-- A provider's payments, newest first (the provider-name lookup and its dispute history); same as SQLite's 0026.
CREATE INDEX "payments_provider_created_idx" ON "payments" ("provider_id", "created_at_ms");
