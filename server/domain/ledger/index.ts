// The ledger's public surface: everything other modules may use.
export { createLedger, type Ledger, type LedgerOptions } from './ledger';
export {
  accountCode,
  forfeitedAccount,
  lightningAccount,
  providerAccount,
  providerRefundsAccount,
  refundsAccount,
  routingFeesAccount,
  stripeAccount,
  treasuryAccount,
  userAvailableAccount,
  userReservedAccount,
  userWithdrawingAccount,
  type AccountKind,
  type AccountRef,
  type ProviderAccountRef,
} from './accounts';
export { LedgerInvariantError } from './invariants';
export type { JsonValue } from './canonical-json';
export type * from './types';
