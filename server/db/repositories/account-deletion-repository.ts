// The writes of "delete my account" (server/domain/account-care/account-deletion.ts). What is removed
// and what is kept, and why, is in docs/architecture.md ("Deleting an account").
import type { Db } from '../client';

/** Rows removed outright: secrets, second factors, the person's own wallet key, their notifications. */
const REMOVED = [
  'DELETE FROM step_up_grants WHERE user_id = :userId',
  'DELETE FROM recovery_codes WHERE user_id = :userId',
  'DELETE FROM totp_credentials WHERE user_id = :userId',
  'DELETE FROM own_wallets WHERE user_id = :userId',
  'DELETE FROM user_wallets WHERE user_id = :userId',
  'DELETE FROM l402_tokens WHERE user_id = :userId',
  'DELETE FROM alerts WHERE user_id = :userId',
  // What the person wrote and what the agent answered; the steps' prices and payments stay.
  "UPDATE tasks SET request = '', answer_json = NULL WHERE user_id = :userId",
  'UPDATE task_steps SET input_json = NULL, output_json = NULL WHERE task_id IN (SELECT id FROM tasks WHERE user_id = :userId)',
] as const;

/**
 * Money that is still on its way to the person's wallet: a dispute whose refund has not landed (open,
 * under review, or refunding, with the provider or the treasury), a step of a running task being paid
 * (a non-delivery opens its dispute right after the payment is posted, when the ledger shows nothing
 * held), or a card top-up not yet funded (a checkout that can still be paid, paid, or funding).
 * Deleting the account then would pay into a wallet nobody holds any more, or take a card payment for
 * sats nobody receives.
 */
const MONEY_ON_ITS_WAY = `
  SELECT EXISTS (SELECT 1 FROM disputes WHERE user_id = :userId AND status IN ('open', 'under_review', 'refunding'))
      OR EXISTS (SELECT 1 FROM task_steps s JOIN tasks t ON t.id = s.task_id WHERE t.user_id = :userId AND t.status = 'running' AND s.status = 'paying')
      OR EXISTS (SELECT 1 FROM top_ups WHERE user_id = :userId
                 AND (status IN ('paid', 'funding', 'funding_delayed') OR (status = 'created' AND created_at_ms > :openCheckoutsSinceMs)))
    AS moving`;

export function createAccountDeletionRepository(db: Db) {
  const statements = REMOVED.map((text) => db.$client.prepare(text));
  const moneyOnItsWay = db.$client.prepare<{ userId: string; openCheckoutsSinceMs: number }, { moving: number }>(MONEY_ON_ITS_WAY);
  return {
    /** True while a refund or a top-up may still arrive; checkouts created before `openCheckoutsSinceMs` have expired. */
    moneyOnItsWay(userId: string, openCheckoutsSinceMs: number): boolean {
      return moneyOnItsWay.get({ userId, openCheckoutsSinceMs })?.moving === 1;
    },
    /** Runs inside the caller's transaction. */
    removePersonalRows(userId: string): void {
      for (const statement of statements) statement.run({ userId });
    },
  };
}
