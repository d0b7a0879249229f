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
  msatToUsdCentsRoundHalfUp,
  signedMsat,
  type BtcUsdRate,
  type Msat,
  type SignedMsat,
  type UsdCents,
} from '../../../shared/money';
import type { DatabaseHandle } from '../../db/client';
import { createWalletMovementsRepository, type WalletMovementRow } from '../../db/repositories/wallet-movements-repository';
import { accountCode, userAvailableAccount, type Ledger } from '../ledger';
import type { ExchangeRatePort } from '../ports/exchange-rate';
import type { BitcoinNetwork, WalletPort, WalletRefusalReason, WalletUnknownReason } from '../ports/wallet';
import { reconcileBalances, type Reconciliation } from './reconciliation';

/** How many movements the page lists; older ones stay in the ledger (and on the Activity page). */
export const RECENT_MOVEMENTS_LIMIT = 50;

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
  | 'other';

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
  connection: WalletConnectionStatus;
  /** null when the person has no wallet connected. */
  balance: WalletBalanceStatus | null;
  /** Only when the wallet's balance is known. */
  reconciliation: Reconciliation | null;
}

export interface WalletOverviewDeps {
  database: Pick<DatabaseHandle, 'sqlite'>;
  ledger: Pick<Ledger, 'userBalances' | 'pendingReservations'>;
  /** The person's spending wallet; null when they have none (or its connection string is unusable). */
  walletFor: (userId: string) => Promise<WalletPort | null>;
  rates: ExchangeRatePort;
}

export type WalletOverview = ReturnType<typeof createWalletOverview>;

const providerOf = (code: string | null): string | null => (code?.startsWith('provider:') ? code.slice('provider:'.length) : null);

function metadataOf(json: string | null): Record<string, unknown> {
  if (json === null) return {};
  const parsed: unknown = JSON.parse(json);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

/** What a single-phase transfer was, from the reason its writer gave (see payments/funding.ts, payment-records.ts). */
function transferKind(row: WalletMovementRow): MovementKind {
  if (row.reason === 'top_up') return metadataOf(row.metadataJson).source === 'sandbox_welcome' ? 'welcome_credit' : 'top_up';
  if (row.reason === 'refund') return 'refund';
  return 'other';
}

function toMovement(row: WalletMovementRow): WalletMovement {
  const base = { id: row.transferId, service: row.service, serviceId: row.serviceId, atMs: row.createdAtMs };
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
  const kind = transferKind(row);
  return {
    ...base,
    kind,
    amountMsat: signedMsat(row.incoming ? row.amountMsat : -row.amountMsat),
    feeMsat: msat(0),
    providerId: kind === 'payment' ? providerOf(row.destinationCode) : null,
  };
}

export function createWalletOverview(deps: WalletOverviewDeps) {
  const movements = createWalletMovementsRepository(deps.database);

  function ledgerBalances(userId: string) {
    const { availableMsat, reservedMsat } = deps.ledger.userBalances(userId);
    return { availableMsat, heldMsat: reservedMsat };
  }

  async function summary(userId: string): Promise<WalletSummary> {
    const { availableMsat, heldMsat } = ledgerBalances(userId);
    const totalMsat = msat(availableMsat + heldMsat);
    const rate: BtcUsdRate = await deps.rates.current();
    return {
      availableMsat,
      heldMsat,
      totalMsat,
      availableUsdCents: msatToUsdCentsRoundHalfUp(availableMsat, rate),
      totalUsdCents: msatToUsdCentsRoundHalfUp(totalMsat, rate),
      holds: deps.ledger.pendingReservations(userId).map((reservation) => ({
        reservationId: reservation.id,
        amountMsat: reservation.amountMsat,
        providerId: providerOf(reservation.destination) ?? reservation.destination,
        serviceId: typeof reservation.metadata?.serviceId === 'string' ? reservation.metadata.serviceId : null,
        createdAtMs: reservation.createdAtMs,
        expiresAtMs: reservation.expiresAtMs,
      })),
      movements: movements.recent(userId, accountCode(userAvailableAccount(userId)), RECENT_MOVEMENTS_LIMIT).map(toMovement),
    };
  }

  async function status(userId: string): Promise<WalletStatus> {
    const wallet = await deps.walletFor(userId);
    if (!wallet) return { connection: { state: 'none' }, balance: null, reconciliation: null };
    const [info, balance] = await Promise.all([wallet.getInfo(), wallet.getBalance()]);
    const connection: WalletConnectionStatus = info.ok
      ? {
          state: 'connected',
          alias: info.value.alias,
          network: info.value.network,
          networkReported: info.value.networkReported,
          methods: info.value.methods,
        }
      : info.outcome === 'refused'
        ? { state: 'refused', reason: info.reason }
        : { state: 'unreachable', reason: info.reason };
    if (!balance.ok) {
      const unknown = balance.outcome === 'unknown';
      return {
        connection,
        balance: unknown ? { state: 'unknown', reason: balance.reason } : { state: 'refused', reason: balance.reason },
        reconciliation: null,
      };
    }
    // The ledger is read after the wallet answered, so a payment posted meanwhile is on both sides.
    const reconciliation = reconcileBalances({ ...ledgerBalances(userId), walletMsat: balance.value.balanceMsat });
    return { connection, balance: { state: 'known', balanceMsat: balance.value.balanceMsat }, reconciliation };
  }

  return { summary, status };
}
