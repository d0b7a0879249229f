/**
 * A fresh proof that it is really the person, for moving money out (withdraw) and for changing which
 * wallet the agent spends from: the authenticator code when 2FA is on, the password when it is off
 * (as for loosening the guard, domain/governance/settings-change.ts). Someone holding an open session
 * alone can do neither. A code becomes a step-up grant bound to exactly this action and used at once.
 */
import type { StepUp, StepUpAction } from '../accounts';
import type { ConsumeRefusal } from '../accounts/step-up';
import type { VerifyRefusal } from '../accounts/two-factor';
import type { RequestMeta } from '../accounts/types';

export type ProofRefusal = 'wallet_code_required' | 'wallet_password_required' | 'wrong_password' | Exclude<VerifyRefusal, 'not_enabled'> | ConsumeRefusal;

export interface ProofDeps {
  stepUp: Pick<StepUp, 'authorize'>;
  twoFactorEnabled: (userId: string) => boolean;
  checkPassword: (userId: string, password: string, meta: RequestMeta) => Promise<boolean>;
}

export interface ProofInput {
  userId: string;
  code?: string | undefined;
  password?: string | undefined;
}

export type ProofResult = { ok: true } | { ok: false; reason: ProofRefusal; retryAt?: string };

export async function proveFresh(deps: ProofDeps, input: ProofInput, action: StepUpAction, meta: RequestMeta): Promise<ProofResult> {
  if (!deps.twoFactorEnabled(input.userId)) {
    if (!input.password) return { ok: false, reason: 'wallet_password_required' };
    return (await deps.checkPassword(input.userId, input.password, meta)) ? { ok: true } : { ok: false, reason: 'wrong_password' };
  }
  if (!input.code) return { ok: false, reason: 'wallet_code_required' };
  const authorized = deps.stepUp.authorize({ userId: input.userId, code: input.code, action }, meta);
  if (authorized.ok) return { ok: true };
  // 2FA was turned off between the two reads: ask again, for the password this time.
  if (authorized.reason === 'not_enabled') return { ok: false, reason: 'wallet_password_required' };
  return { ok: false, reason: authorized.reason, ...(authorized.retryAt ? { retryAt: authorized.retryAt } : {}) };
}
