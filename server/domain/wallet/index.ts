// The wallet domain's public surface: the Wallet page's view of a person's money.
export {
  createWalletOverview,
  RECENT_MOVEMENTS_LIMIT,
  type MovementKind,
  type PendingHold,
  type WalletBalanceStatus,
  type WalletConnectionStatus,
  type WalletMovement,
  type WalletOverview,
  type WalletOverviewDeps,
  type WalletStatus,
  type WalletSummary,
} from './wallet-overview';
export { createWalletDomain, type WalletDomain, type WalletDomainDeps } from './wallet-domain';
export { movementsCsv } from './movements-csv';
export { reconcileBalances, ROUNDING_TOLERANCE_MSAT, type Reconciliation, type ReconciliationStatus } from './reconciliation';
