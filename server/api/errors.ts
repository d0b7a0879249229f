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
  invalid_credentials: ['UNAUTHORIZED', 'That email and password do not match an account.'],
  second_factor_required: ['UNAUTHORIZED', 'Enter the 6-digit code from your authenticator app.'],
  invalid_code: ['BAD_REQUEST', 'That code is not right. Check your authenticator app and try again.'],
  code_already_used: ['BAD_REQUEST', 'That code was already used. Wait for the next one and try again.'],
  locked: ['TOO_MANY_REQUESTS', 'Too many wrong codes. Two-factor checks are paused for a while.'],
  not_enabled: ['BAD_REQUEST', 'Two-factor authentication is not turned on for this account.'],
  already_enabled: ['CONFLICT', 'Two-factor authentication is already on.'],
  session_not_found: ['NOT_FOUND', 'That session does not exist or has already ended.'],
  grant_not_found: ['NOT_FOUND', 'That approval code was not found. Enter a new code.'],
  grant_expired: ['BAD_REQUEST', 'That approval has expired. Enter a new code.'],
  grant_already_used: ['CONFLICT', 'That approval was already used. Enter a new code.'],
  action_mismatch: ['FORBIDDEN', 'That approval was for something else. Enter a new code.'],
  rate_limited: ['TOO_MANY_REQUESTS', 'Too many attempts from your network. Please wait a minute and try again.'],
  empty_request: ['BAD_REQUEST', 'Type what you would like the agent to do.'],
  task_not_found: ['NOT_FOUND', 'That task does not exist.'],
  already_revoked: ['CONFLICT', 'That agent key was already revoked.'],
  task_finished: ['CONFLICT', 'That task has already finished.'],
  step_not_found: ['NOT_FOUND', 'That step is not part of the task.'],
  step_not_paid: ['BAD_REQUEST', 'Only a step that was paid for can be accepted or disputed.'],
  service_not_found: ['NOT_FOUND', 'That service is not in your catalog.'],
  provider_not_found: ['NOT_FOUND', 'That provider is not one you added.'],
  provider_exists: ['CONFLICT', 'That provider is already in your catalog.'],
  invalid_url: ['BAD_REQUEST', 'Enter an http(s) address of an L402 provider.'],
  blocked_address: ['BAD_REQUEST', 'That address is not on the public internet, so it cannot be added.'],
  fetch_failed: ['BAD_REQUEST', 'That provider did not answer. Check the address and try again.'],
  no_manifest: ['BAD_REQUEST', 'That provider publishes no /.well-known/l402.json.'],
  http_error: ['BAD_REQUEST', 'That provider answered with an error for its manifest.'],
  invalid_json: ['BAD_REQUEST', "That provider's manifest is not valid JSON."],
  invalid_manifest: ['BAD_REQUEST', "That provider's manifest is not a valid L402 manifest."],
  no_services: ['BAD_REQUEST', "That provider's manifest has no service the agent can use."],
  not_found: ['NOT_FOUND', 'That request was not found. It may have been removed, or belong to another account.'],
  not_pending: ['CONFLICT', 'This request has already been answered.'],
  expired: ['BAD_REQUEST', 'This request has expired. The agent will ask again with fresh prices.'],
  code_required: ['BAD_REQUEST', 'Enter the 6-digit code from your authenticator app to approve this.'],
  code_invalid: ['BAD_REQUEST', 'That code is not right. Check your authenticator app and try again.'],
  two_factor_required: ['FORBIDDEN', 'Turn on two-factor authentication (Security page) to approve large or over-budget spends.'],
  overage_reason_required: ['BAD_REQUEST', 'Say why this spend may go over your monthly budget.'],
  step_up_required: ['FORBIDDEN', 'This change loosens your spending guard. Enter the 6-digit code from your authenticator app to save it.'],
  password_required: ['FORBIDDEN', 'This change loosens your spending guard. Enter your password to save it.'],
  wrong_password: ['BAD_REQUEST', 'That password is not right. Nothing was changed.'],
  tier_needs_two_factor: ['FORBIDDEN', `Raising a tier above ${formatUsd(TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS)} needs two-factor authentication. Turn it on (Security page) first.`],
  settings_changed_meanwhile: ['CONFLICT', 'Your budget settings changed while you were saving. Reload them and try again.'],
  limit_not_convertible: ['BAD_REQUEST', 'That limit is too large to convert between dollars and sats at the current price. Choose a smaller one.'],
} as const satisfies Record<string, readonly [TRPC_ERROR_CODE_KEY, string]>;

export type RefusalReason = keyof typeof REFUSALS;

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
