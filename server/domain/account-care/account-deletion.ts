/**
 * "Delete my account". Refused while money is moving (a held spend, a withdrawal in flight, a dispute's
 * refund, a task step being paid, or a card top-up not yet in the wallet), and
 * while the spending wallet holds sats unless the person chose to leave them behind; then a fresh
 * proof (authenticator code with 2FA on, password with it off), then one IMMEDIATE transaction that
 * forfeits the balance in the ledger, removes the personal rows and scrubs the user row. After it,
 * every session ends (and with it every live stream) and every agent key is revoked.
 *
 * What is kept, and why: the ledger is append-only and every payment, refund and top-up must still
 * add up, so the money trail stays under the account's random id, with no email or password left
 * (docs/architecture.md, "Deleting an account").
 */
import type { Msat } from '../../../shared/money';
import type { DeleteAccountInput } from '../../../shared/accounts';
import type { RequestMeta } from '../accounts';
import { forfeitedAccount, userAvailableAccount, userWithdrawingAccount, type Ledger } from '../ledger';
import { proveFresh, type ProofDeps, type ProofRefusal } from '../wallet/wallet-proof';

export type DeletionRefusal =
  | 'money_in_flight'
  | 'balance_not_withdrawn'
  | 'deletion_code_required'
  | 'deletion_password_required'
  | Exclude<ProofRefusal, 'wallet_code_required' | 'wallet_password_required'>;

export type DeletionResult = { ok: true; forfeitedMsat: Msat; sessionsEnded: number } | { ok: false; reason: DeletionRefusal; retryAt?: string };

export interface AccountDeletionDeps {
  ledger: Pick<Ledger, 'userBalances' | 'balanceMsat' | 'transfer'>;
  /** A dispute's refund or a card top-up still on its way to the wallet (it would land in no one's). */
  moneyOnItsWay: (userId: string) => boolean;
  proof: ProofDeps;
  /** Runs `fn` in one IMMEDIATE transaction. */
  transaction: <T>(fn: () => T) => T;
  removePersonalRows: (userId: string) => void;
  /** A hash of a password nobody knows, made before the transaction (hashing is slow and async). */
  unusablePasswordHash: () => Promise<string>;
  /** Inside the transaction: the user row loses its email and password. */
  scrubUser: (userId: string, passwordHash: string) => void;
  audit: (userId: string, detail: Record<string, number>, meta: RequestMeta) => void;
  endSessions: (userId: string) => number;
  revokeAgentKeys: (userId: string) => void;
}

/** Where the person's money stands: what deletion would forfeit, or why it must wait. */
export function moneyStanding(deps: Pick<AccountDeletionDeps, 'ledger' | 'moneyOnItsWay'>, userId: string): { availableMsat: Msat; moving: boolean } {
  const { availableMsat, reservedMsat } = deps.ledger.userBalances(userId);
  const withdrawingMsat = deps.ledger.balanceMsat(userWithdrawingAccount(userId));
  return { availableMsat, moving: reservedMsat > 0 || withdrawingMsat > 0 || deps.moneyOnItsWay(userId) };
}

function proofRefusal(reason: ProofRefusal): DeletionRefusal {
  if (reason === 'wallet_code_required') return 'deletion_code_required';
  if (reason === 'wallet_password_required') return 'deletion_password_required';
  return reason;
}

export async function deleteAccount(deps: AccountDeletionDeps, userId: string, input: DeleteAccountInput, meta: RequestMeta): Promise<DeletionResult> {
  const before = moneyStanding(deps, userId);
  if (before.moving) return { ok: false, reason: 'money_in_flight' };
  if (before.availableMsat > 0 && !input.forfeitBalance) return { ok: false, reason: 'balance_not_withdrawn' };
  const proved = await proveFresh(deps.proof, { userId, code: input.code, password: input.password }, { kind: 'delete_account', id: userId }, meta);
  if (!proved.ok) return { ok: false, reason: proofRefusal(proved.reason), ...(proved.retryAt ? { retryAt: proved.retryAt } : {}) };

  const passwordHash = await deps.unusablePasswordHash();
  const forfeited = deps.transaction(() => {
    // Read again under the write lock: a payment may have arrived or a spend started since.
    const now = moneyStanding(deps, userId);
    if (now.moving) return { ok: false as const, reason: 'money_in_flight' as const };
    if (now.availableMsat > 0 && !input.forfeitBalance) return { ok: false as const, reason: 'balance_not_withdrawn' as const };
    if (now.availableMsat > 0) {
      const moved = deps.ledger.transfer({
        idempotencyKey: `account_deleted:${userId}`,
        debit: userAvailableAccount(userId),
        credit: forfeitedAccount,
        amountMsat: now.availableMsat,
        reason: 'account_deleted',
        metadata: { userId },
      });
      if (!moved.ok) throw new Error(`forfeiting the balance of ${userId} failed: ${moved.reason}`);
    }
    deps.removePersonalRows(userId);
    deps.scrubUser(userId, passwordHash);
    deps.audit(userId, { forfeitedMsat: now.availableMsat }, meta);
    return { ok: true as const, forfeitedMsat: now.availableMsat };
  });
  if (!forfeited.ok) return forfeited;
  deps.revokeAgentKeys(userId);
  const sessionsEnded = deps.endSessions(userId);
  return { ok: true, forfeitedMsat: forfeited.forfeitedMsat, sessionsEnded };
}
