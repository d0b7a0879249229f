// What spending takes and returns. The caller names a step by ids; everything that limits the spend
// is read from storage. Every outcome has a name.
import type { AgentKeyDenyReason, PolicyDecision } from '../../../shared/governance';
import type { Msat } from '../../../shared/money';
import type { StandingRefusal } from '../../../shared/reputation';
import type { Approval } from '../approvals';
import type { PurchaseOutcome } from '../payments';
import type { Quote } from '../quotes';

export interface SpendStepInput {
  userId: string;
  approvalId: string;
  stepId: string;
  /**
   * For a chained step only: its input with the earlier step's output filled in (it exists only at
   * run time). Checked against what the quote bounded; any other difference from the quoted input
   * is refused.
   */
  resolvedInput?: Record<string, unknown>;
}

/** Why spending refused to pay a step without asking payments at all. */
export type SpendRefusal =
  /** No such approval for this person (another person's approval is not found either). */
  | 'approval_not_found'
  /** The approval is pending, denied or cancelled. */
  | 'not_approved'
  | 'approval_expired'
  /** The step is not one of the steps the person approved. */
  | 'step_not_in_approval'
  /** The approval's quote has expired: re-quote, never pay an expired quote. */
  | 'quote_expired'
  /** The quote does not record the call (a quote stored before calls were kept). */
  | 'step_not_quoted'
  /** The resolved input differs from the quoted one beyond the chained field. */
  | 'input_not_quoted'
  /** The chained text is longer (characters or words) than the quote bounded. */
  | 'input_beyond_quote'
  /** An agent's step its key no longer allows (revoked, expired, over a cap, service not allowed). */
  | AgentKeyDenyReason
  /** The person blocked the provider, or the service was paused for everyone, after it was approved. */
  | StandingRefusal;

/** A price-drift re-approval made while spending: the task now runs under it. */
export interface Reapproval {
  approval: Approval;
  decision: PolicyDecision;
  quote: Quote;
  invoiceMsat: Msat;
}

export type SpendOutcome =
  | { kind: 'refused'; reason: SpendRefusal }
  | Exclude<PurchaseOutcome, { kind: 'needs_approval' }>
  /** The invoice asks more than approved and the new total needs the person: see `reapproval`. */
  | { kind: 'awaiting_reapproval'; invoiceMsat: Msat };

export interface SpendResult {
  outcome: SpendOutcome;
  /** Set when the price drifted: the new approval (approved at once when it fit the auto tier). */
  reapproval: Reapproval | null;
}
