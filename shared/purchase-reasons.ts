/**
 * Why a purchase ended the way it did, in words a person reads (names from the payments domain:
 * server/domain/payments/types.ts and delivery-judge.ts). Shown by the Activity page and the task card,
 * and in the task's failure message (server/agent/tasks/task-runner.ts).
 */
const REASONS: Record<string, string> = {
  challenged_again: 'the provider refused the paid token',
  server_error: 'the provider kept failing after payment',
  fetch_failed: 'the provider did not answer after payment',
  unexpected_status: 'the provider answered with an error',
  token_unavailable: 'the paid token is no longer held',
  empty_body: 'the provider was paid and sent back nothing',
  not_json: 'the provider was paid and sent back something unreadable',
  schema_invalid: 'the provider was paid and sent back something other than what it promised',
  cached_token_not_delivered: 'the token bought earlier got an answer other than what the provider promised',
  missing_preimage: 'the wallet gave no proof of payment',
  preimage_mismatch: 'the wallet’s proof does not match the invoice',
  expired_unpaid: 'the invoice expired unpaid',
  never_sent: 'the payment was never sent',
  account_in_debt: 'a refunded or disputed top-up left your balance owing; add funds to spend again',
};

export const purchaseReasonText = (reason: string) => REASONS[reason] ?? reason.replaceAll('_', ' ');
