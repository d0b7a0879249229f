/**
 * The one place that credits a user's spendable ledger balance for money that reached their spending
 * wallet. The ledger's user balance mirrors that wallet, so every sat the wallet receives for spending
 * must be credited here exactly once (the idempotency key makes a retried credit a no-op).
 *
 * Called by the sandbox (a new user's welcome balance) and by card top-ups (server/domain/topups), once
 * the treasury's payment has reached the person's wallet. The money is recorded as it travels:
 * stripe -> treasury -> the user's available funds.
 */
import type { Msat } from '../../../shared/money';
import { stripeAccount, treasuryAccount, userAvailableAccount, type Ledger, type TransferResult } from '../ledger';

export function creditUserFunding(
  ledger: Pick<Ledger, 'transfer'>,
  input: { userId: string; amountMsat: Msat; idempotencyKey: string; source?: string; paymentHash?: string },
): TransferResult {
  const metadata = { userId: input.userId, source: input.source ?? 'stripe', ...(input.paymentHash ? { paymentHash: input.paymentHash } : {}) };
  const intoTreasury = ledger.transfer({
    idempotencyKey: `${input.idempotencyKey}:in`,
    debit: stripeAccount,
    credit: treasuryAccount,
    amountMsat: input.amountMsat,
    reason: 'top_up',
    metadata,
  });
  if (!intoTreasury.ok) return intoTreasury;
  return ledger.transfer({
    idempotencyKey: `${input.idempotencyKey}:out`,
    debit: treasuryAccount,
    credit: userAvailableAccount(input.userId),
    amountMsat: input.amountMsat,
    reason: 'top_up',
    metadata,
  });
}
