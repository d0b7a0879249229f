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
 * Audits the whole ledger: money is conserved (all entries sum to zero, and so does each transfer's,
 * and a single-phase transfer has at least two entries), no account with a floor is below it, every
 * resolution resolves exactly one reservation, holds are in step (every reserved account is at zero,
 * each user's recorded pending holds equal the sum of their pending reservations, and their available
 * balance covers them), and every cached balance (ledger_balances, what operations read) equals the
 * sum of its account's entries. Balances are computed from the entries themselves, so the cache can
 * never vouch for itself.
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

  const holds = repository.holdsOutOfStep();
  const reserved = holds.filter((row) => row.reservedMsat !== 0);
  assertLedger(reserved.length === 0, 'reserved accounts hold money; holds move none', reserved);
  const unrecorded = holds.filter((row) => row.recordedMsat !== row.pendingMsat);
  assertLedger(unrecorded.length === 0, 'recorded pending holds differ from pending reservations', unrecorded);
  const uncovered = holds.filter((row) => row.availableMsat < row.recordedMsat);
  assertLedger(uncovered.length === 0, 'available balances below their pending holds', uncovered);

  const stale = repository.cachedBalancesVsEntries();
  assertLedger(stale.length === 0, 'cached balances differ from the sums of their entries', stale);
}
