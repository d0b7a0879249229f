import { randomUUID } from 'node:crypto';
import type { AccountsRepository } from '../../db/repositories/accounts-repository';
import type { AuditLog } from './audit-log';
import type { TwoFactorService, VerifyRefusal } from './two-factor';
import type { Clock, RequestMeta, Result } from './types';

/** What a step-up approves: exactly one action, e.g. `{ kind: 'approve_spend', id: '<quote id>' }`. */
export interface StepUpAction {
  kind: string;
  id: string;
}

export interface StepUpGrant {
  grantId: string;
  action: StepUpAction;
  expiresAt: string;
}

export type ConsumeRefusal = 'grant_not_found' | 'grant_expired' | 'grant_already_used' | 'action_mismatch';

/** A grant is for the request in front of the person now, not for later. */
export const STEP_UP_GRANT_TTL_MS = 5 * 60_000;

export type StepUp = ReturnType<typeof createStepUp>;

/**
 * Step-up: a fresh authenticator code exchanged for a one-time grant bound to one action.
 *
 *   const granted = stepUp.verify({ userId, code, action: { kind: 'approve_spend', id: quoteId } });
 *   // ... later, inside the synchronous transaction that performs the action:
 *   const used = stepUp.consume({ userId, grantId, action: { kind: 'approve_spend', id: quoteId } });
 *   if (!used.ok) return used; // refuse the action
 *
 * Guarantees: the code is checked with the same lockout and replay rules as sign-in (a code used to sign
 * in, or for another step-up, is refused: it must be a new time step); recovery codes are not accepted;
 * a grant opens only the action it names, only once, only for STEP_UP_GRANT_TTL_MS. `consume` is
 * synchronous and a single conditional UPDATE, so it can sit inside the caller's better-sqlite3
 * transaction and two concurrent approvals cannot both use one grant. Both steps write the audit log.
 * `authorize` does both at once for a handler that performs the action right away.
 */
export function createStepUp(deps: { repo: AccountsRepository; twoFactor: TwoFactorService; audit: AuditLog; now: Clock }) {
  const { repo, audit } = deps;
  const describe = (action: StepUpAction) => ({ actionKind: action.kind, actionId: action.id });

  function verify(
    request: { userId: string; code: string; action: StepUpAction },
    meta?: RequestMeta,
  ): Result<{ grant: StepUpGrant }, VerifyRefusal, { retryAt?: string }> {
    return repo.transaction(() => {
      const verified = deps.twoFactor.verifyInTransaction(request.userId, { code: request.code }, 'step_up', meta);
      if (!verified.ok) return verified;
      const nowMs = deps.now().getTime();
      const grant = {
        id: randomUUID(),
        userId: request.userId,
        actionKind: request.action.kind,
        actionId: request.action.id,
        createdAtMs: nowMs,
        expiresAtMs: nowMs + STEP_UP_GRANT_TTL_MS,
        usedAtMs: null,
      };
      repo.insertStepUpGrant(grant);
      audit.record(request.userId, 'step_up_granted', describe(request.action), meta);
      return {
        ok: true,
        grant: { grantId: grant.id, action: { ...request.action }, expiresAt: new Date(grant.expiresAtMs).toISOString() },
      };
    });
  }

  /** Uses a grant for its action. Synchronous: call it inside the transaction that performs the action. */
  function consume(request: { userId: string; grantId: string; action: StepUpAction }): Result<object, ConsumeRefusal> {
    const nowMs = deps.now().getTime();
    const grant = repo.findStepUpGrant(request.userId, request.grantId);
    if (!grant) return { ok: false, reason: 'grant_not_found' };
    if (grant.actionKind !== request.action.kind || grant.actionId !== request.action.id) {
      return { ok: false, reason: 'action_mismatch' };
    }
    if (grant.usedAtMs !== null) return { ok: false, reason: 'grant_already_used' };
    if (grant.expiresAtMs <= nowMs) return { ok: false, reason: 'grant_expired' };
    // The conditional update is the real guard; the reads above only name the refusal.
    if (!repo.useStepUpGrant(request.userId, request.grantId, nowMs)) return { ok: false, reason: 'grant_already_used' };
    audit.record(request.userId, 'step_up_used', describe(request.action));
    return { ok: true };
  }

  return {
    verify,
    consume,
    authorize(
      request: { userId: string; code: string; action: StepUpAction },
      meta?: RequestMeta,
    ): Result<object, VerifyRefusal | ConsumeRefusal, { retryAt?: string }> {
      return repo.transaction(() => {
        const granted = verify(request, meta);
        if (!granted.ok) return granted;
        return consume({ userId: request.userId, grantId: granted.grant.grantId, action: request.action });
      });
    },
  };
}
