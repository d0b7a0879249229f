// Which accounts exist and how low each may go. Accounts are identified by a stable code built from
// their kind and owner, and created on first use, so callers name accounts instead of storing ids.

export type AccountKind =
  | 'user_available' // what the user may spend
  | 'user_reserved' // named by reservations; holds move no money, so its balance stays 0 (ledger_pending_holds counts them)
  | 'treasury' // the operator's funds
  | 'provider' // an L402 provider: paid out of reservations; money that has left us
  | 'routing_fees' // Lightning routing fees paid on posts
  | 'refunds' // source of refund and dispute credits the treasury pays (external, see floors)
  | 'provider_refunds' // source of dispute refunds a provider paid back itself, to a return invoice (external)
  | 'stripe' // source of card top-ups (external, see floors)
  | 'lightning' // the Lightning network outside Steward: receipts come from it, withdrawals go to it
  | 'user_withdrawing' // held for a withdrawal being paid out of the user's wallet (not budget spend)
  | 'forfeited'; // sats a person chose to leave behind when deleting their account (their wallet's, now the operator's)

export type AccountFloor = 'non_negative' | 'unbounded';

export type AccountRef =
  | { kind: 'user_available' | 'user_reserved' | 'user_withdrawing'; userId: string }
  | { kind: 'provider'; provider: string }
  | { kind: 'treasury' | 'routing_fees' | 'refunds' | 'provider_refunds' | 'stripe' | 'lightning' | 'forfeited' };

export type ProviderAccountRef = Extract<AccountRef, { kind: 'provider' }>;

export const treasuryAccount: AccountRef = { kind: 'treasury' };
export const routingFeesAccount: AccountRef = { kind: 'routing_fees' };
export const refundsAccount: AccountRef = { kind: 'refunds' };
/**
 * Kept apart from `refunds` so the books show what the treasury gave back and what providers did:
 * not the provider's own account, which holds only what it was paid (a refund of price plus routing
 * fee would take it below zero), and the sats come from outside Steward like any receipt.
 */
export const providerRefundsAccount: AccountRef = { kind: 'provider_refunds' };
export const stripeAccount: AccountRef = { kind: 'stripe' };
export const lightningAccount: AccountRef = { kind: 'lightning' };
export const forfeitedAccount: AccountRef = { kind: 'forfeited' };
export const userAvailableAccount = (userId: string): AccountRef => ({ kind: 'user_available', userId });
export const userReservedAccount = (userId: string): AccountRef => ({ kind: 'user_reserved', userId });
export const userWithdrawingAccount = (userId: string): AccountRef => ({ kind: 'user_withdrawing', userId });
export const providerAccount = (provider: string): ProviderAccountRef => ({ kind: 'provider', provider });

/**
 * Sources stand for money outside the system: a card payment arriving through Stripe, a refund the
 * operator grants, or sats that reached (or left) the spending wallet over Lightning. Their balance goes negative by exactly what they brought in, which keeps the sum of
 * all entries at zero. Every other account holds real money we owe or have paid, so it never goes
 * below zero.
 */
export function accountFloor(kind: AccountKind): AccountFloor {
  return kind === 'stripe' || kind === 'refunds' || kind === 'provider_refunds' || kind === 'lightning' ? 'unbounded' : 'non_negative';
}

export function accountCode(ref: AccountRef): string {
  switch (ref.kind) {
    case 'user_available':
      return `user:${ref.userId}:available`;
    case 'user_reserved':
      return `user:${ref.userId}:reserved`;
    case 'user_withdrawing':
      return `user:${ref.userId}:withdrawing`;
    case 'provider':
      return `provider:${ref.provider}`;
    default:
      return ref.kind;
  }
}

export function accountOwner(ref: AccountRef): string | null {
  return 'userId' in ref ? ref.userId : null;
}
