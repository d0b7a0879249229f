/**
 * The Wallet page's view of a person's money, from the two places it is known:
 * - the ledger (fast, local): what they may spend, what pending spends hold, and the transfers that
 *   changed it (credits, payments, fees);
 * - their spending wallet over NWC (slow, may be unreachable): what it actually holds, and what it is.
 * `summary` reads only the ledger, so the page never waits on a wallet to show the ledger; `status`
 * asks the wallet and sets its answer against the ledger (see reconciliation.ts).
 */
import {
  msat,
  msatToUsdCentsFloor,
  signedMsat,
  type BtcUsdRate,
  type Msat,
  type SignedMsat,
  type UsdCents,
} from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import { createWalletMovementsRepository, type WalletMovementRow } from '../../db/repositories/wallet-movements-repository';
import type { WalletOperationRow } from '../../db/schema/wallet';
import { accountCode, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { BitcoinNetwork, WalletBudgetStatus, WalletInfo, WalletPort, WalletRefusalReason, WalletResult, WalletUnknownReason } from '../ports/wallet';
import { reconcileBalances, type Reconciliation } from './reconciliation';

/** How many movements the page lists; the CSV export has them all. */
export const RECENT_MOVEMENTS_LIMIT = 50;
/** A bound on one export, far above any real person's history, so one request cannot exhaust memory. */
export const EXPORT_MOVEMENTS_LIMIT = 100_000;

export type MovementKind =
  /** The sandbox's play money for a new account. */
  | 'welcome_credit'
  /** Money bought with a card, through the operator's treasury. */
  | 'top_up'
  /** Money given back (a refund or a dispute credit). */
  | 'refund'
  /** A purchase: the price paid to the provider (its routing fee is `feeMsat`). */
  | 'payment'
  /** A routing fee recorded on its own (a fee above the allowance held for it). */
  | 'fee'
  /** Sats paid to the person's spending wallet: an invoice they made, or money sent from outside. */
  | 'receipt'
  /** Sats paid out of the spending wallet: a withdrawal (with its fee allowance held), or a payment made outside Steward. */
  | 'withdrawal'
  /** What a withdrawal held and did not need (the unused fee allowance, or all of it when it failed). */
  | 'withdrawal_returned'
  /** The spending wallet changed: the old wallet's balance left the ledger, the new one's arrived. */
  | 'wallet_switch'
  | 'other';

/** completed: the money moved. pending: a withdrawal whose payment is not settled yet. failed: it did not pay (returned). */
export type MovementStatus = 'completed' | 'pending' | 'failed';

export interface WalletMovement {
  id: number;
  kind: MovementKind;
  /** Positive when money came in, negative when it left; the routing fee is apart. */
  amountMsat: SignedMsat;
  /** Routing fee paid with this movement (payments only); 0 otherwise. */
  feeMsat: Msat;
  /** The provider paid, for payments and fees; null otherwise. */
  providerId: string | null;
  service: string | null;
  serviceId: string | null;
  status: MovementStatus;
  /** Where it came from or went: 'outside' for wallet movements Steward did not start, the wallet for a switch. */
  note: string | null;
  atMs: number;
}

export interface PendingHold {
  reservationId: number;
  amountMsat: Msat;
  providerId: string;
  serviceId: string | null;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface WalletSummary {
  availableMsat: Msat;
  /** Held by spends that are being paid right now; back to available if they fail. */
  heldMsat: Msat;
  totalMsat: Msat;
  /** The totals at the current rate (for display only; quotes lock their own rate). */
  availableUsdCents: UsdCents;
  totalUsdCents: UsdCents;
  holds: PendingHold[];
  movements: WalletMovement[];
}

export type WalletConnectionStatus =
  | { state: 'none' }
  | {
      state: 'connected';
      alias: string;
      network: BitcoinNetwork | null;
      networkReported: string;
      /** The NIP-47 methods this connection allows (e.g. pay_invoice, get_balance). */
      methods: string[];
    }
  /** The wallet answered get_info with an error (e.g. the connection was revoked). */
  | { state: 'refused'; reason: WalletRefusalReason }
  /** No answer: relay down, wallet offline or too slow. */
  | { state: 'unreachable'; reason: WalletUnknownReason };

export type WalletBalanceStatus =
  | { state: 'known'; balanceMsat: Msat }
  | { state: 'refused'; reason: WalletRefusalReason }
  | { state: 'unknown'; reason: WalletUnknownReason };

export interface WalletStatus {
  /** Whose wallet the agent spends from: their own, or the one Steward provided; null for none. */
  source: 'own' | 'provisioned' | null;
  connection: WalletConnectionStatus;
  /** The wallet's own NWC budget (get_budget), a second line of defence; null when not asked. */
  budget: WalletBudgetStatus | null;
  /** null when the person has no wallet connected. */
  balance: WalletBalanceStatus | null;
  /** Only when the wallet's balance is known. */
  reconciliation: Reconciliation | null;
}

export interface WalletOverviewDeps {
  database: Pick<DatabaseHandle, 'sqlite'>;
  ledger: Pick<Ledger, 'userBalances' | 'pendingReservations' | 'balanceMsat'>;
  /** The status of the person's withdrawals, by operation id (repo.operationsFor). */
  operationStatuses: (userId: string) => Map<string, WalletOperationRow['status']>;
  /** The person's spending wallet; null when they have none (or its connection string is unusable). */
  walletFor: (userId: string) => Promise<WalletPort | null>;
  sourceOf: (userId: string) => 'own' | 'provisioned' | null;
  rates: ExchangeRatePort;
}

export type WalletOverview = ReturnType<typeof createWalletOverview>;

const providerOf = (code: string | null): string | null => (code?.startsWith('provider:') ? code.slice('provider:'.length) : null);

function metadataOf(json: string | null): Record<string, unknown> {
  if (json === null) return {};
  const parsed: unknown = JSON.parse(json);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

const REASON_KINDS: Record<string, MovementKind> = {
  refund: 'refund',
  receipt: 'receipt',
  withdrawal: 'withdrawal',
  withdrawal_change: 'withdrawal_returned',
  withdrawal_returned: 'withdrawal_returned',
  withdrawal_fee: 'fee',
  wallet_switch_out: 'wallet_switch',
  wallet_switch_in: 'wallet_switch',
};

/** What a single-phase transfer was, from the reason its writer gave (payments/funding.ts, this folder). */
function transferKind(row: WalletMovementRow, metadata: Record<string, unknown>): MovementKind {
  if (row.reason === 'top_up') return metadata.source === 'sandbox_welcome' ? 'welcome_credit' : 'top_up';
  return REASON_KINDS[row.reason ?? ''] ?? 'other';
}

function transferNote(row: WalletMovementRow, metadata: Record<string, unknown>): string | null {
  if (metadata.source === 'outside') return 'outside';
  if (row.reason === 'wallet_switch_out' && typeof metadata.from === 'string') return `${metadata.from} wallet`;
  if (row.reason === 'wallet_switch_in' && typeof metadata.to === 'string') return `${metadata.to} wallet`;
  return null;
}

/** A withdrawal's hold is pending while its payment is, and failed when it did not pay. */
function transferStatus(kind: MovementKind, metadata: Record<string, unknown>, operations: Map<string, WalletOperationRow['status']>): MovementStatus {
  if (kind !== 'withdrawal' || typeof metadata.operationId !== 'string') return 'completed';
  const status = operations.get(metadata.operationId);
  return status === 'failed' ? 'failed' : status === 'settled' || status === undefined ? 'completed' : 'pending';
}

function toMovement(row: WalletMovementRow, operations: Map<string, WalletOperationRow['status']>): WalletMovement {
  const base = { id: row.transferId, service: row.service, serviceId: row.serviceId, atMs: row.createdAtMs, status: 'completed' as const, note: null };
  // A fee charged after the fact (above the hold's allowance) is a post that paid the provider nothing.
  if (row.kind === 'post' && row.amountMsat === 0) {
    return { ...base, kind: 'fee', amountMsat: signedMsat(-row.feeMsat), feeMsat: msat(0), providerId: null };
  }
  if (row.kind === 'post') {
    return {
      ...base,
      kind: 'payment',
      amountMsat: signedMsat(-row.amountMsat),
      feeMsat: msat(row.feeMsat),
      providerId: providerOf(row.destinationCode),
    };
  }
  const metadata = metadataOf(row.metadataJson);
  const kind = transferKind(row, metadata);
  return {
    ...base,
    kind,
    amountMsat: signedMsat(row.incoming ? row.amountMsat : -row.amountMsat),
    feeMsat: msat(0),
    providerId: null,
    status: transferStatus(kind, metadata, operations),
    note: transferNote(row, metadata),
  };
}

function connectionOf(info: WalletResult<WalletInfo>): WalletConnectionStatus {
  if (info.ok) {
    const { alias, network, networkReported, methods } = info.value;
    return { state: 'connected', alias, network, networkReported, methods };
  }
  return info.outcome === 'refused' ? { state: 'refused', reason: info.reason } : { state: 'unreachable', reason: info.reason };
}

export function createWalletOverview(deps: WalletOverviewDeps) {
  const movements = createWalletMovementsRepository(deps.database);

  function ledgerBalances(userId: string) {
    const { availableMsat, reservedMsat } = deps.ledger.userBalances(userId);
    // A withdrawal being paid is held too: it is still in the wallet until it settles.
    const withdrawingMsat = deps.ledger.balanceMsat(userWithdrawingAccount(userId));
    return { availableMsat, heldMsat: msat(reservedMsat + withdrawingMsat) };
  }

  async function summary(userId: string): Promise<WalletSummary> {
    const { availableMsat, heldMsat } = ledgerBalances(userId);
    const totalMsat = msat(availableMsat + heldMsat);
    const rate: BtcUsdRate = await deps.rates.current();
    return {
      availableMsat,
      heldMsat,
      totalMsat,
      // A balance in dollars rounds down (shared/money-display.ts): nobody counts on a cent that is not there.
      availableUsdCents: msatToUsdCentsFloor(availableMsat, rate),
      totalUsdCents: msatToUsdCentsFloor(totalMsat, rate),
      holds: deps.ledger.pendingReservations(userId).map((reservation) => ({
        reservationId: reservation.id,
        amountMsat: reservation.amountMsat,
        providerId: providerOf(reservation.destination) ?? reservation.destination,
        serviceId: typeof reservation.metadata?.serviceId === 'string' ? reservation.metadata.serviceId : null,
        createdAtMs: reservation.createdAtMs,
        expiresAtMs: reservation.expiresAtMs,
      })),
      movements: movementsOf(userId, RECENT_MOVEMENTS_LIMIT),
    };
  }

  function movementsOf(userId: string, limit: number): WalletMovement[] {
    const operations = deps.operationStatuses(userId);
    return movements.recent(userId, accountCode(userAvailableAccount(userId)), limit).map((row) => toMovement(row, operations));
  }

  async function status(userId: string): Promise<WalletStatus> {
    const wallet = await deps.walletFor(userId);
    if (!wallet) return { source: null, connection: { state: 'none' }, budget: null, balance: null, reconciliation: null };
    const source = deps.sourceOf(userId);
    const [info, balance] = await Promise.all([wallet.getInfo(), wallet.getBalance()]);
    const connection = connectionOf(info);
    const budgetAnswer = info.ok && info.value.methods.includes('get_budget') ? await wallet.getBudget() : null;
    const budget = budgetAnswer?.ok ? budgetAnswer.value : null;
    if (!balance.ok) {
      const unknown = balance.outcome === 'unknown';
      return {
        source,
        connection,
        budget,
        balance: unknown ? { state: 'unknown', reason: balance.reason } : { state: 'refused', reason: balance.reason },
        reconciliation: null,
      };
    }
    // The ledger is read after the wallet answered, so a payment posted meanwhile is on both sides.
    const reconciliation = reconcileBalances({ ...ledgerBalances(userId), walletMsat: balance.value.balanceMsat });
    return { source, connection, budget, balance: { state: 'known', balanceMsat: balance.value.balanceMsat }, reconciliation };
  }

  return {
    summary,
    status,
    /** Every movement, newest first, for the CSV export. */
    allMovements: (userId: string) => movementsOf(userId, EXPORT_MOVEMENTS_LIMIT),
  };
}
