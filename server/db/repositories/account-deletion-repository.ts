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

export function createAccountDeletionRepository(db: Db) {
  const statements = REMOVED.map((text) => db.$client.prepare(text));
  return {
    /** Runs inside the caller's transaction. */
    removePersonalRows(userId: string): void {
      for (const statement of statements) statement.run({ userId });
    },
  };
}
