import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS } from '../../shared/governance';
import { formatUsd } from '../../shared/money';

/**
 * The one place where named domain refusals become wire errors. Each reason gets a status and a message
 * a person can act on; the reason itself travels in `error.data.reason` so the client can branch on it
 * (e.g. show the code field on `second_factor_required`). Add new reasons here, nowhere else.
 */
const REFUSALS = {
  email_taken: ['CONFLICT', 'An account with this email already exists. Sign in instead.'],
  invalid_credentials: ['UNAUTHORIZED', 'That email and password do not match an account. Check them and try again.'],
  second_factor_required: ['UNAUTHORIZED', 'Enter the 6-digit code from your authenticator app.'],
  invalid_code: ['BAD_REQUEST', 'That code is not right. Check your authenticator app and try again.'],
  code_already_used: ['BAD_REQUEST', 'That code was already used. Wait for the next one and try again.'],
  reset_link_invalid: ['BAD_REQUEST', 'This reset link does not work any more: it expired, was already used, or the password changed since. Ask the operator for a new one.'],
  locked: ['TOO_MANY_REQUESTS', 'Too many wrong codes. Two-factor checks are paused for a while; wait, then try again.'],
  not_enabled: ['BAD_REQUEST', 'Two-factor authentication is not turned on for this account. Turn it on on the Security page.'],
  already_enabled: ['CONFLICT', 'Two-factor authentication is already on. Reload the page to see it.'],
  session_not_found: ['NOT_FOUND', 'That session does not exist or has already ended. Reload the list of sessions.'],
  grant_not_found: ['NOT_FOUND', 'That approval code was not found. Enter a new code.'],
  grant_expired: ['BAD_REQUEST', 'That approval has expired. Enter a new code.'],
  grant_already_used: ['CONFLICT', 'That approval was already used. Enter a new code.'],
  action_mismatch: ['FORBIDDEN', 'That approval was for something else. Enter a new code.'],
  rate_limited: ['TOO_MANY_REQUESTS', 'Too many attempts in a short time. Nothing was changed; please wait a minute and try again.'],
  wallet_calls_limited: ['TOO_MANY_REQUESTS', 'Your wallet was asked too often in a short time. Nothing was changed; wait a moment and try again.'],
  empty_request: ['BAD_REQUEST', 'Type what you would like the agent to do.'],
  task_not_found: ['NOT_FOUND', 'That task does not exist. Reload the page, or ask again in the chat.'],
  already_revoked: ['CONFLICT', 'That agent key was already revoked. Reload the page to see its state, or make a new key.'],
  task_finished: ['CONFLICT', 'That task has already finished. Reload the page to see how it ended.'],
  step_not_found: ['NOT_FOUND', 'That step is not part of the task. Reload the page and try again.'],
  step_not_paid: ['BAD_REQUEST', 'Only a step that was paid for can be accepted or disputed. Reload the page to see what was paid.'],
  service_not_found: ['NOT_FOUND', 'That service is not in your catalog. Reload the Services page and choose one listed there.'],
  provider_not_found: ['NOT_FOUND', 'That provider is not one you added. Reload the Services page to see your providers.'],
  provider_exists: ['CONFLICT', 'That provider is already in your catalog. Find it on the Services page.'],
  invalid_url: ['BAD_REQUEST', 'Enter an http(s) address of an L402 provider.'],
  blocked_address: ['BAD_REQUEST', 'That address is not on the public internet, so it cannot be added. Use the provider\'s public address.'],
  fetch_failed: ['BAD_REQUEST', 'That provider did not answer. Check the address and try again.'],
  no_manifest: ['BAD_REQUEST', 'That provider publishes no /.well-known/l402.json. Check the address, or ask the provider for its L402 manifest.'],
  http_error: ['BAD_REQUEST', 'That provider answered with an error for its manifest. Try again later, or contact the provider.'],
  invalid_json: ['BAD_REQUEST', "That provider's manifest is not valid JSON. Contact the provider, or try again later."],
  invalid_manifest: ['BAD_REQUEST', "That provider's manifest is not a valid L402 manifest. Contact the provider, or try again later."],
  no_services: ['BAD_REQUEST', "That provider's manifest has no service the agent can use. Choose another provider."],
  not_found: ['NOT_FOUND', 'That request was not found. It may have been removed, or belong to another account. Reload the page to see what is current.'],
  not_pending: ['CONFLICT', 'This request has already been answered. Reload the page to see the answer.'],
  expired: ['BAD_REQUEST', 'This request has expired. The agent will ask again with fresh prices.'],
  code_required: ['BAD_REQUEST', 'Enter the 6-digit code from your authenticator app to approve this.'],
  code_invalid: ['BAD_REQUEST', 'That code is not right. Check your authenticator app and try again.'],
  two_factor_required: ['FORBIDDEN', 'Turn on two-factor authentication (Security page) to approve large or over-budget spends.'],
  overage_reason_required: ['BAD_REQUEST', 'Say why this spend may go over your monthly budget.'],
  step_up_required: ['FORBIDDEN', 'This change loosens your spending guard. Enter the 6-digit code from your authenticator app to save it.'],
  password_required: ['FORBIDDEN', 'This change loosens your spending guard. Enter your password to save it.'],
  wrong_password: ['BAD_REQUEST', 'That password is not right. Nothing was changed; enter it again.'],
  tier_needs_two_factor: ['FORBIDDEN', `Raising a tier above ${formatUsd(TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS)} needs two-factor authentication. Turn it on (Security page) first.`],
  settings_changed_meanwhile: ['CONFLICT', 'Your budget settings changed while you were saving. Reload them and try again.'],
  rate_unavailable: ['SERVICE_UNAVAILABLE', 'The bitcoin price is not available right now, so nothing can be valued in dollars or locked. Nothing was charged; please try again in a few minutes.'],
  limit_not_convertible: ['BAD_REQUEST', 'That limit is too large to convert between dollars and sats at the current price. Choose a smaller one.'],
  top_up_below_minimum: ['BAD_REQUEST', 'That top-up is below the smallest amount allowed. Choose a larger amount.'],
  top_up_above_maximum: ['BAD_REQUEST', 'That top-up is above the largest single amount allowed. Choose a smaller amount.'],
  top_up_daily_limit: ['BAD_REQUEST', 'That top-up would go over your limit for 24 hours. Choose a smaller amount or try again tomorrow.'],
  top_up_too_small_for_rate: ['BAD_REQUEST', 'That amount buys less than one sat. Choose a larger amount.'],
  top_ups_unavailable: ['SERVICE_UNAVAILABLE', 'Card top-ups are not set up on this server. Add sats with a Lightning invoice (Receive) instead, or ask the operator.'],
  checkout_unavailable: ['SERVICE_UNAVAILABLE', 'The card processor did not answer. Nothing was charged; try again in a minute.'],
  not_a_connection_string: ['BAD_REQUEST', 'That is not an NWC connection string. It starts with nostr+walletconnect:// — copy it again from your wallet.'],
  invalid_wallet_pubkey: ['BAD_REQUEST', "That connection string's wallet key is not valid. Copy it again from your wallet."],
  invalid_relay_url: ['BAD_REQUEST', 'That connection string names no valid relay (wss://…). Copy it again from your wallet.'],
  account_in_debt: ['BAD_REQUEST', 'A refunded or disputed card top-up left your balance owing. Nothing can be spent or withdrawn until new funds repay it: add funds on the Wallet page (a top-up or a payment received).'],
  relay_not_allowed: ['BAD_REQUEST', "Your wallet's relay is on (or now resolves to) a local or private network address, which this server does not connect to. Use a wallet whose relay is on the public internet."],
  invalid_secret: ['BAD_REQUEST', "That connection string's secret is missing or not valid. Copy it again from your wallet."],
  wallet_unreachable: ['BAD_GATEWAY', 'The wallet did not answer. Check it is online and try again.'],
  wallet_refused: ['BAD_REQUEST', 'The wallet refused the request (the connection may have been revoked). Make a new connection in your wallet.'],
  wrong_network: ['BAD_REQUEST', 'That wallet (or invoice) is on another Bitcoin network than this app. Use one on the same network.'],
  pay_invoice_not_allowed: ['BAD_REQUEST', 'That connection does not allow paying invoices. Give it the pay_invoice permission in your wallet.'],
  get_balance_not_allowed: ['BAD_REQUEST', 'That connection does not allow reading the balance. Give it the get_balance permission in your wallet.'],
  make_invoice_not_allowed: ['BAD_REQUEST', 'Your wallet connection does not allow making invoices, so it cannot receive through Steward. Give it the make_invoice permission in your wallet, or receive in the wallet itself.'],
  pending_spends: ['CONFLICT', 'A payment is in progress on your current wallet. Wait for it to finish, then change wallets.'],
  pending_withdrawal: ['CONFLICT', 'A withdrawal is in progress on your current wallet. Wait for it to finish, then change wallets.'],
  money_on_its_way: ['CONFLICT', 'A top-up or a refund is on its way to your current wallet. Wait for it to arrive, then change wallets.'],
  no_own_wallet: ['BAD_REQUEST', 'You have no wallet of your own connected. Connect one on the Wallet page first.'],
  no_wallet: ['BAD_REQUEST', 'You have no spending wallet yet. Connect your own wallet first.'],
  wallet_code_required: ['FORBIDDEN', 'This moves money or changes your spending wallet. Enter the 6-digit code from your authenticator app.'],
  wallet_password_required: ['FORBIDDEN', 'This moves money or changes your spending wallet. Enter your password.'],
  invalid_invoice: ['BAD_REQUEST', 'That is not a valid Lightning invoice. Copy it again.'],
  amountless_invoice: ['BAD_REQUEST', 'That invoice names no amount. Ask for one with an amount.'],
  invoice_expired: ['BAD_REQUEST', 'That invoice has expired (or is about to). Ask for a new one.'],
  already_withdrawn: ['CONFLICT', 'That invoice was already paid from Steward. It is never paid twice; see it under recent money movements.'],
  insufficient_funds: ['BAD_REQUEST', 'Your balance does not cover that amount plus its routing-fee allowance. Choose a smaller amount, or add funds first.'],
  would_uncover_pending_spends: ['CONFLICT', 'Your wallet would not hold enough for payments in progress. Withdraw less, or wait for them to finish.'],
  already_disputed: ['CONFLICT', 'This step is already disputed. Follow it on the Disputes page.'],
  dispute_limit_reached: ['BAD_REQUEST', 'You have disputed as much of this month\'s spending as the limit allows. Non-delivery is still refunded automatically; for anything else, contact the provider.'],
  dispute_not_found: ['NOT_FOUND', 'That dispute does not exist. Reload the Disputes page.'],
  already_decided: ['CONFLICT', 'That dispute was already decided (perhaps by another operator). Nothing was paid twice; reload to see the decision.'],
  invalid_refund_amount: ['BAD_REQUEST', 'A refund must be more than zero and no more than what was paid (price plus fee). Enter an amount in that range.'],
  step_not_skippable: ['BAD_REQUEST', 'Steward needs a wallet to spend from, so this step cannot be skipped. Open Wallet to set one up, or connect your own.'],
  step_done_by_its_fact: ['BAD_REQUEST', 'This step ticks itself once it is done: follow its link to do it, or skip it for now.'],
  provider_not_blocked: ['NOT_FOUND', 'You have not blocked that provider. Reload Services to see who is blocked.'],
  service_not_paused: ['CONFLICT', 'That service is not paused (perhaps another operator resumed it). Reload the console to see.'],
  claim_not_found_or_settled: ['CONFLICT', 'That claim does not exist or was already settled (perhaps by another operator). Reload the console to see it.'],
  money_in_flight: ['CONFLICT', 'Money is still on its way (a payment, a withdrawal, a dispute\'s refund or a top-up). Wait for it to finish, then delete the account.'],
  balance_not_withdrawn: ['CONFLICT', 'Your spending wallet still holds sats. Withdraw them first (Wallet page), or choose to leave them behind.'],
  deletion_code_required: ['FORBIDDEN', 'Deleting your account cannot be undone. Enter the 6-digit code from your authenticator app.'],
  deletion_password_required: ['FORBIDDEN', 'Deleting your account cannot be undone. Enter your password.'],
  agent_key_code_required: ['FORBIDDEN', 'A new agent key can spend for you until you revoke it. Enter the 6-digit code from your authenticator app.'],
  agent_key_password_required: ['FORBIDDEN', 'A new agent key can spend for you until you revoke it. Enter your password.'],
} as const satisfies Record<string, readonly [TRPC_ERROR_CODE_KEY, string]>;

export type RefusalReason = keyof typeof REFUSALS;

/** Every refusal's message, for the test that each one says what to do next. */
export const refusalMessages = (): ReadonlyArray<readonly [RefusalReason, string]> => Object.entries(REFUSALS).map(([reason, [, message]]) => [reason as RefusalReason, message]);

/** Carried as the TRPCError's cause; the error formatter copies it into `error.data`. */
export class RefusalDetail extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly retryAt: string | undefined,
  ) {
    super(reason);
  }
}

export function refusal(reason: RefusalReason, extra: { retryAt?: string } = {}): TRPCError {
  const [code, message] = REFUSALS[reason];
  return new TRPCError({ code, message, cause: new RefusalDetail(reason, extra.retryAt) });
}

type Refusal = { ok: false; reason: RefusalReason; retryAt?: string };

/** Unwraps a domain result: the value when ok, otherwise throws the mapped refusal. */
export function unwrap<R extends { ok: true } | Refusal>(result: R): Extract<R, { ok: true }> {
  if (!result.ok) {
    const refused = result as Refusal;
    throw refusal(refused.reason, { retryAt: refused.retryAt });
  }
  return result as Extract<R, { ok: true }>;
}
