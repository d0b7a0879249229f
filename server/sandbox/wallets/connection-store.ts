import type Database from 'better-sqlite3';
import { z } from 'zod';

export interface WalletConnection {
  /** The wallet-service key this connection answers on (unique per connection, as NIP-47 advises). */
  walletPubkey: string;
  walletSecretHex: string;
  /**
   * The client's secret, kept so the connection URL survives restarts. NIP-47 says a wallet should
   * not store it; the sandbox does on purpose, as it hands the URL out again after a restart.
   */
  clientSecretHex: string;
  clientPubkey: string;
  nodeName: string;
  label: string;
  /** Lifetime spending cap (amount + fees) for this connection; null = unlimited. */
  budgetMsat: number | null;
  /**
   * The NIP-47 methods this connection may call, as `create_connection` granted them; null = every
   * method the sandbox supports (the connections the sandbox makes for itself).
   */
  requestMethods: string[] | null;
}

interface ConnectionRow {
  wallet_pubkey: string;
  wallet_secret_hex: string;
  client_secret_hex: string;
  client_pubkey: string;
  node_name: string;
  label: string;
  budget_msat: number | null;
  request_methods: string | null;
}

/** Requests older than this are forgotten at startup; a client republishes within seconds, not weeks. */
const REQUEST_LOG_RETENTION_SEC = 7 * 24 * 3600;

/**
 * Persistence for the NWC side of the sandbox: connections (keys + budget), the request log that
 * makes request handling idempotent by event id, and each connection's spending for its budget.
 */
export class ConnectionStore {
  constructor(
    private readonly db: Database.Database,
    private readonly nowSec: () => number,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS nwc_connections (
        wallet_pubkey TEXT PRIMARY KEY,
        wallet_secret_hex TEXT NOT NULL,
        client_secret_hex TEXT NOT NULL,
        client_pubkey TEXT NOT NULL,
        node_name TEXT NOT NULL,
        label TEXT NOT NULL UNIQUE,
        budget_msat INTEGER CHECK (budget_msat IS NULL OR budget_msat >= 0),
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS nwc_requests (
        event_id TEXT PRIMARY KEY,
        wallet_pubkey TEXT NOT NULL,
        response_event_json TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS nwc_spending (
        payment_hash TEXT PRIMARY KEY,
        wallet_pubkey TEXT NOT NULL REFERENCES nwc_connections(wallet_pubkey),
        amount_msat INTEGER NOT NULL,
        fee_msat INTEGER NOT NULL
      );
    `);
    // Added with create_connection; a sandbox database from before gets the column (null: every method).
    const columns = db.prepare('PRAGMA table_info(nwc_connections)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'request_methods')) db.exec('ALTER TABLE nwc_connections ADD COLUMN request_methods TEXT');
    db.prepare('DELETE FROM nwc_requests WHERE created_at < ?').run(nowSec() - REQUEST_LOG_RETENTION_SEC);
  }

  add(connection: WalletConnection): void {
    this.db
      .prepare(
        `INSERT INTO nwc_connections (wallet_pubkey, wallet_secret_hex, client_secret_hex, client_pubkey,
           node_name, label, budget_msat, request_methods, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        connection.walletPubkey,
        connection.walletSecretHex,
        connection.clientSecretHex,
        connection.clientPubkey,
        connection.nodeName,
        connection.label,
        connection.budgetMsat,
        connection.requestMethods === null ? null : JSON.stringify(connection.requestMethods),
        this.nowSec(),
      );
  }

  byLabel(label: string): WalletConnection | undefined {
    const row = this.db.prepare('SELECT * FROM nwc_connections WHERE label = ?').get(label) as ConnectionRow | undefined;
    return row && fromRow(row);
  }

  byWalletPubkey(walletPubkey: string): WalletConnection | undefined {
    const row = this.db.prepare('SELECT * FROM nwc_connections WHERE wallet_pubkey = ?').get(walletPubkey) as
      | ConnectionRow
      | undefined;
    return row && fromRow(row);
  }

  all(): WalletConnection[] {
    return (this.db.prepare('SELECT * FROM nwc_connections ORDER BY created_at, label').all() as ConnectionRow[]).map(
      fromRow,
    );
  }

  /**
   * Claims a request id. True the first time only, so whoever gets true handles the request; the
   * row is written before handling, so a republish during or after handling never runs it again.
   */
  claimRequest(eventId: string, walletPubkey: string): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO nwc_requests (event_id, wallet_pubkey, created_at) VALUES (?, ?, ?)')
      .run(eventId, walletPubkey, this.nowSec());
    return result.changes === 1;
  }

  saveResponse(requestEventId: string, responseEventJson: string): void {
    this.db
      .prepare('UPDATE nwc_requests SET response_event_json = ? WHERE event_id = ?')
      .run(responseEventJson, requestEventId);
  }

  /** The response published for a request, or undefined while it is still being handled (or never answered). */
  savedResponse(requestEventId: string): string | undefined {
    const row = this.db
      .prepare('SELECT response_event_json FROM nwc_requests WHERE event_id = ?')
      .get(requestEventId) as { response_event_json: string | null } | undefined;
    return row?.response_event_json ?? undefined;
  }

  spentMsat(walletPubkey: string): number {
    const row = this.db
      .prepare('SELECT COALESCE(SUM(amount_msat + fee_msat), 0) AS spent FROM nwc_spending WHERE wallet_pubkey = ?')
      .get(walletPubkey) as { spent: number };
    return row.spent;
  }

  recordSpending(walletPubkey: string, paymentHashHex: string, amountMsat: number, feeMsat: number): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO nwc_spending (payment_hash, wallet_pubkey, amount_msat, fee_msat)
         VALUES (?, ?, ?, ?)`,
      )
      .run(paymentHashHex, walletPubkey, amountMsat, feeMsat);
  }
}

function fromRow(row: ConnectionRow): WalletConnection {
  return {
    walletPubkey: row.wallet_pubkey,
    walletSecretHex: row.wallet_secret_hex,
    clientSecretHex: row.client_secret_hex,
    clientPubkey: row.client_pubkey,
    nodeName: row.node_name,
    label: row.label,
    budgetMsat: row.budget_msat,
    requestMethods: row.request_methods === null ? null : z.array(z.string()).parse(JSON.parse(row.request_methods)),
  };
}
