/**
 * Does the ledger agree with the wallet? The ledger says what the person has (available + held for
 * pending spends); the wallet says what it holds. While a spend is in flight the wallet may already
 * have paid an invoice the ledger still counts as held, so the wallet may be lower than the ledger by
 * at most what is held. Anything outside that band is a real difference worth explaining.
 */
import { addMsat, signedMsat, type Msat, type SignedMsat } from '../../../shared/money';

export type ReconciliationStatus =
  /** The wallet holds exactly what the ledger says the person has. */
  | 'agree'
  /** The wallet is lower, by no more than what pending spends hold: a payment being recorded. */
  | 'settling'
  /** The wallet holds more than the ledger knows: money that reached it outside Steward. */
  | 'wallet_ahead'
  /** The wallet holds less than the ledger says is available: spent outside Steward. */
  | 'wallet_behind';

export interface Reconciliation {
  status: ReconciliationStatus;
  ledgerTotalMsat: Msat;
  walletMsat: Msat;
  /** wallet minus ledger total: negative when the wallet holds less. */
  differenceMsat: SignedMsat;
}

/**
 * Wallets backed by a Lightning node often report whole sats; a difference below one sat is that
 * rounding, not money gone missing.
 */
export const ROUNDING_TOLERANCE_MSAT = 999;

export function reconcileBalances(input: { availableMsat: Msat; heldMsat: Msat; walletMsat: Msat }): Reconciliation {
  const ledgerTotalMsat = addMsat(input.availableMsat, input.heldMsat);
  const differenceMsat = signedMsat(input.walletMsat - ledgerTotalMsat);
  const status: ReconciliationStatus =
    Math.abs(differenceMsat) <= ROUNDING_TOLERANCE_MSAT
      ? 'agree'
      : differenceMsat > 0
        ? 'wallet_ahead'
        : -differenceMsat <= input.heldMsat + ROUNDING_TOLERANCE_MSAT
          ? 'settling'
          : 'wallet_behind';
  return { status, ledgerTotalMsat, walletMsat: input.walletMsat, differenceMsat };
}
