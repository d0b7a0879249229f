// The ledger's invariants, checked in full by checkInvariants() (tests, audits) and locally by every
// operation before it commits. A broken invariant is a bug, never an expected outcome: it throws.
import type { LedgerRepository } from '../../db/repositories/ledger-repository';

export class LedgerInvariantError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(details === undefined ? message : `${message}: ${JSON.stringify(details)}`);
    this.name = 'LedgerInvariantError';
  }
}

export function assertLedger(condition: boolean, message: string, details?: unknown): asserts condition {
  if (!condition) throw new LedgerInvariantError(message, details);
}

/**
 * Audits the whole ledger: money is conserved (all entries sum to zero, and so does each transfer's),
 * no account with a floor is below it, every resolution resolves exactly one reservation, each
 * user's reserved balance equals the sum of their pending reservations, and every cached balance
 * (ledger_balances, what operations read) equals the sum of its account's entries. The first four
 * are computed from the entries themselves, so the cache can never vouch for itself.
 */
export function checkLedgerInvariants(repository: LedgerRepository): void {
  const total = repository.sumOfAllEntriesMsat();
  assertLedger(total === 0, 'entries do not sum to zero', { totalMsat: total });

  const unbalanced = repository.unbalancedTransfers();
  assertLedger(unbalanced.length === 0, 'transfers whose entries do not balance', unbalanced);

  const belowFloor = repository.accountsBelowFloor();
  assertLedger(belowFloor.length === 0, 'accounts below their floor', belowFloor);

  const invalid = repository.invalidResolutions();
  const message = 'reservation resolved twice, or a resolution of a non-reservation';
  assertLedger(invalid.length === 0, message, invalid);

  const mismatched = repository
    .reservedBalancesVsPending()
    .filter((row) => row.balanceMsat !== row.pendingMsat);
  assertLedger(mismatched.length === 0, 'reserved balances differ from pending reservations', mismatched);

  const stale = repository.cachedBalancesVsEntries();
  assertLedger(stale.length === 0, 'cached balances differ from the sums of their entries', stale);
}
