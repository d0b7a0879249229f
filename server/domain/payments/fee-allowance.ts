import { msat, type Msat } from '../../../shared/money';

/**
 * How much routing fee a payment may cost on top of the invoice, reserved with it so the budget
 * counts it (Aperture and lnget cap fees at 10 sats by default). NIP-47 cannot cap the fee of a
 * pay_invoice call, so this is a budget allowance, not a limit the wallet enforces: a fee above it
 * is still recorded as paid (payment-records.ts).
 */
export interface FeeAllowancePolicy {
  minimumMsat: number;
  /** Parts per million of the invoice amount, rounded up. */
  proportionalPpm: number;
}

export const DEFAULT_FEE_ALLOWANCE: FeeAllowancePolicy = { minimumMsat: 10_000, proportionalPpm: 10_000 };

export function feeAllowanceFor(amountMsat: Msat, policy: FeeAllowancePolicy = DEFAULT_FEE_ALLOWANCE): Msat {
  const proportional = Number((BigInt(amountMsat) * BigInt(policy.proportionalPpm) + 999_999n) / 1_000_000n);
  return msat(Math.max(policy.minimumMsat, proportional));
}
