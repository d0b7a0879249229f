// Read-only SQL for the Wallet page: the ledger transfers that changed one person's spendable money.
// Kept apart from the ledger's own repository because it reads across tables (a posted payment is
// labelled with the purchase it paid for) and serves a page, not a money movement.
import type { DatabaseHandle } from '../client';

/** One transfer that raised or lowered a user's money, with what it paid for when it was a purchase. */
export interface WalletMovementRow {
  transferId: number;
  kind: 'transfer' | 'post';
  /** transfer: the amount moved. post: the amount paid to the provider (the fee is apart). */
  amountMsat: number;
  feeMsat: number;
  /** True when the money came into the user's available account (transfers only). */
  incoming: boolean;
  reason: string | null;
  metadataJson: string | null;
  /** post: the provider account the reservation was held for, e.g. "provider:satoshi-jokes". */
  destinationCode: string | null;
  /** post: the purchase it settled (null when the reservation carries no payment row). */
  paymentId: string | null;
  service: string | null;
  serviceId: string | null;
  createdAtMs: number;
}

export type WalletMovementsRepository = ReturnType<typeof createWalletMovementsRepository>;

export function createWalletMovementsRepository(handle: Pick<DatabaseHandle, 'sqlite'>) {
  // Posted reservations carry the user id; single-phase transfers name the user's available account
  // on one side. Reservations, voids and expiries are left out: they move money between the user's
  // own accounts (available <-> held) and never change what the user has.
  const recent = handle.sqlite.prepare<{ userId: string; availableCode: string; limit: number }, WalletMovementRow>(`
    SELECT t.id AS transferId, t.kind AS kind, t.amount_msat AS amountMsat, t.fee_msat AS feeMsat,
      (t.kind = 'transfer' AND t.credit_account_id = a.id) AS incoming,
      t.reason AS reason, t.metadata_json AS metadataJson, d.code AS destinationCode,
      p.id AS paymentId, p.service AS service, p.service_id AS serviceId, t.created_at_ms AS createdAtMs
    FROM ledger_transfers t
    LEFT JOIN ledger_accounts a ON a.code = @availableCode
    LEFT JOIN ledger_transfers r ON r.id = t.pending_id
    LEFT JOIN ledger_accounts d ON d.id = r.destination_account_id
    LEFT JOIN payments p ON p.reservation_id = t.pending_id
    WHERE (t.kind = 'post' AND t.user_id = @userId)
       OR (t.kind = 'transfer' AND (t.credit_account_id = a.id OR t.debit_account_id = a.id))
    ORDER BY t.id DESC
    LIMIT @limit`);

  return {
    /** The user's most recent movements, newest first. */
    recent(userId: string, availableCode: string, limit: number): WalletMovementRow[] {
      return recent.all({ userId, availableCode, limit }).map((row) => ({ ...row, incoming: Boolean(row.incoming) }));
    },
  };
}
