import type { PolicyDecision, PolicyDecisionKind } from '../../../shared/governance';
import type { Msat } from '../../../shared/money';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
/** Why the person is asked: a new plan, a price that went above what was approved, or an expired quote. */
export type ApprovalReason = 'plan' | 'price_drift' | 'quote_expired';

/**
 * One approval request, bound to one quote. Times are milliseconds since the epoch.
 *
 * - `maxMsat`: the quote's totalMsatMax (prices + fee allowances): the most the task may take for it.
 * - `stepMaxMsat[stepId]`: the most that step's invoice may ask, fees excluded; a larger invoice is
 *   price drift (requestReapproval). domain/spending reads it when it pays the step.
 * - `overageMsat`: for overage_required, how far past the monthly limit this quote goes; once approved,
 *   spending lets this quote's steps (only) go that far over.
 */
export interface Approval {
  id: string;
  userId: string;
  taskId: string;
  quoteId: string;
  status: ApprovalStatus;
  reason: ApprovalReason;
  decisionKind: PolicyDecisionKind;
  /** The policy's decision as recorded (an auto decision says whether to tell the person once paid). */
  decision: PolicyDecision;
  why: string;
  maxMsat: Msat;
  stepMaxMsat: Record<string, Msat>;
  overageMsat?: Msat;
  /** The step whose price drifted (price_drift re-approvals). */
  driftStepId?: string;
  /** The agent key that asked (an MCP client); null when the person asked in the app. */
  agentKeyId: string | null;
  expiresAt: number;
  resolvedAt?: number;
  createdAt: number;
}

export interface ApprovalRequestResult {
  decision: PolicyDecision;
  approval: Approval;
}

export type ApproveRefusal =
  | 'not_found'
  | 'not_pending'
  | 'expired'
  /** step_up / overage_required need an authenticator code. */
  | 'code_required'
  | 'code_invalid'
  /** The code's time step was already used (sign-in or another approval): wait for the next code. */
  | 'code_already_used'
  | 'locked'
  /** A second factor is needed but the account has none: turn on two-factor first. */
  | 'two_factor_required'
  | 'overage_reason_required';

export type ApproveResult = { ok: true; approval: Approval } | { ok: false; reason: ApproveRefusal; retryAt?: string };
export type DenyResult = { ok: true; approval: Approval } | { ok: false; reason: 'not_found' | 'not_pending' | 'expired' };
