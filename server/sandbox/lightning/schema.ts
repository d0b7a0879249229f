import type Database from 'better-sqlite3';

/**
 * The simulated network's own tables. The sandbox is not the app, so its schema lives here in code
 * (created if missing) instead of in the app's drizzle migrations. Amounts are integer msat; times are
 * unix seconds. `ln_payments.payment_hash` is the primary key, so an invoice can be paid only once
 * even if a bug skipped the `settled_at` check.
 */
export function createLightningSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ln_nodes (
      name TEXT PRIMARY KEY,
      secret_key_hex TEXT NOT NULL,
      pubkey_hex TEXT NOT NULL UNIQUE,
      balance_msat INTEGER NOT NULL CHECK (balance_msat >= 0),
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ln_invoices (
      payment_hash TEXT PRIMARY KEY,
      node_name TEXT NOT NULL REFERENCES ln_nodes(name),
      payment_request TEXT NOT NULL UNIQUE,
      preimage_hex TEXT NOT NULL,
      amount_msat INTEGER,
      description TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      settled_at INTEGER,
      amount_received_msat INTEGER
    );
    CREATE INDEX IF NOT EXISTS ln_invoices_node ON ln_invoices(node_name, created_at);
    CREATE TABLE IF NOT EXISTS ln_payments (
      payment_hash TEXT PRIMARY KEY REFERENCES ln_invoices(payment_hash),
      payer_node TEXT NOT NULL REFERENCES ln_nodes(name),
      amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
      fee_msat INTEGER NOT NULL CHECK (fee_msat >= 0),
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ln_payments_payer ON ln_payments(payer_node, created_at);
  `);
}
