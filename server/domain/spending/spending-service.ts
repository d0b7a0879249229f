/**
 * Spending: the one owner of the right to spend. A step is paid from ids only:
 *
 *   spending.spendStep({ userId, approvalId, stepId, resolvedInput? }) -> { outcome, reapproval }
 *
 * It reads the person's approval (status, the step's approved maximum, the overage authorized with a
 * second factor) and the approval's quote (the locked rate, the step's call: origin, method, path,
 * input, the provider's published node key) from storage, checks that the step is one the person
 * approved, builds the L402 request itself and mints the authorization payments needs. No caller can
 * hand payments a limit of its own: the authorization type is minted only here (lint enforces it).
 *
 * Price drift (the invoice asks more than approved) asks once, with the real price: quotes re-price the
 * step at exactly the invoice's amount and approvals decide the new total. Within the auto tier and the
 * budget it is approved at once and the step pays that very invoice; otherwise the new approval waits
 * for the person, and approving it authorizes exactly that amount.
 *
 * After a payment, the budget thresholds and the "paid automatically" notice fire from its outcome.
 */
import { AGENT_KEY_DENY_REASONS, type AgentKeyDenyReason } from '../../../shared/governance';
import { msat } from '../../../shared/money';
import type { StandingCheck } from '../../../shared/reputation';
import type { AgentKeys } from '../agent-keys';
import { notifyBudgetThresholds, type AlertService } from '../alerts';
import type { Approval, ApprovalService } from '../approvals';
import { formatSpend, type Governance } from '../governance';
import type { KeyHold, PaymentService, PurchaseOutcome, SpendAuthorization } from '../payments';
import { requestForStep, type Quote, type QuoteService, type QuoteStep, type QuotedCall } from '../quotes';
import { stepInput } from './step-input';
import type { Reapproval, SpendOutcome, SpendRefusal, SpendResult, SpendStepInput } from './types';

type KeyRefused = Extract<SpendOutcome, { kind: 'refused' }>;

export interface SpendingDeps {
  approvals: Pick<ApprovalService, 'get' | 'requestReapproval'>;
  quotes: Pick<QuoteService, 'get' | 'isExpired' | 'requoteDrift'>;
  payments: Pick<PaymentService, 'purchase'> & { records: { byId(paymentId: string): { amountMsat: number; feeMsat: number | null } | undefined } };
  governance: Pick<Governance, 'fireBudgetAlerts'>;
  alerts: Pick<AlertService, 'notify' | 'notifyGovernance'>;
  /** An agent's step is paid under its key: re-checked (revoked, caps, services) and counted in the write-ahead. */
  agentKeys: Pick<AgentKeys, 'spendUnder'>;
  /** A blocked provider or a paused service is never paid, even under an approval made before. */
  standing: StandingCheck;
  /** The person's IANA time zone: budget months are theirs. */
  timeZoneOf: (userId: string) => string;
  /** When the task began spending (its task cap counts from there); null when there is no such task. */
  taskStartedAtMs: (userId: string, taskId: string) => number | null;
}

export type Spending = ReturnType<typeof createSpending>;

const isKeyRefusal = (reason: string): reason is AgentKeyDenyReason => (AGENT_KEY_DENY_REASONS as readonly string[]).includes(reason);

/** The idempotency key of a task's step: fixed before its purchase is first attempted, reused on retry. */
export function stepIdempotencyKey(taskId: string, stepId: string): string {
  return `task:${taskId}:step:${stepId}`;
}

interface Authorized {
  approval: Approval;
  quote: Quote;
  step: QuoteStep & { call: QuotedCall };
  authorization: SpendAuthorization;
}

/** The approval, its quote and the step, read by ids and checked; or why the step may not be paid. */
function authorize(deps: SpendingDeps, input: SpendStepInput): { ok: true; value: Authorized } | { ok: false; reason: SpendRefusal } {
  const approval = deps.approvals.get(input.userId, input.approvalId);
  if (!approval) return { ok: false, reason: 'approval_not_found' };
  if (approval.status === 'expired') return { ok: false, reason: 'approval_expired' };
  if (approval.status !== 'approved') return { ok: false, reason: 'not_approved' };
  const approvedMaxMsat = approval.stepMaxMsat[input.stepId];
  if (approvedMaxMsat === undefined) return { ok: false, reason: 'step_not_in_approval' };
  const quote = deps.quotes.get(input.userId, approval.quoteId);
  if (!quote) throw new Error(`approval ${approval.id} names a missing quote`);
  if (deps.quotes.isExpired(quote)) return { ok: false, reason: 'quote_expired' };
  const step = quote.steps.find((s) => s.stepId === input.stepId);
  if (!step) throw new Error(`approval ${approval.id} approves step ${input.stepId}, which its quote lacks`);
  if (!step.call) return { ok: false, reason: 'step_not_quoted' };
  const standing = deps.standing.refusalFor(input.userId, { providerId: step.call.providerId, serviceId: step.serviceId });
  if (standing) return { ok: false, reason: standing };
  // The one place an authorization is minted: every figure in it was just read from storage.
  const authorization = {
    approvedMaxMsat,
    authorizedOverageMsat: approval.overageMsat ?? msat(0),
    rate: quote.rate,
    expectedPayeePubkeyHex: step.call.payeePubkeyHex,
  } as SpendAuthorization;
  return { ok: true, value: { approval, quote, step: { ...step, call: step.call }, authorization } };
}

export function createSpending(deps: SpendingDeps) {
  /**
   * An agent's step: paid only while its key still allows it (revoked at once, caps, services), the
   * key's hold counted in the write-ahead's transaction and settled to what the payment cost.
   */
  async function purchaseUnderKey(keyId: string, input: SpendStepInput, authorized: Authorized, stepInputValue: Record<string, unknown>): Promise<PurchaseOutcome | KeyRefused> {
    const { step } = authorized;
    const spent = await deps.agentKeys.spendUnder(
      { userId: input.userId, keyId, services: [{ serviceId: step.serviceId, origin: step.call.origin }], maxMsat: step.maxMsat },
      async (keyHold) => {
        const outcome = await purchase(input, authorized, stepInputValue, keyHold);
        const paymentId = 'paymentId' in outcome ? outcome.paymentId : null;
        const payment = paymentId === null ? undefined : deps.payments.records.byId(paymentId);
        const posted = outcome.kind === 'delivered' || outcome.kind === 'paid_not_delivered';
        // Unknown outcomes count at the most they can cost until the reconciler settles them.
        const spentMsat = !payment ? 0 : posted ? payment.amountMsat + (payment.feeMsat ?? 0) : outcome.kind === 'payment_unknown' ? step.maxMsat : 0;
        return { value: outcome, payment: paymentId === null ? null : { id: paymentId, spentMsat } };
      },
    );
    if (!spent.ok) return { kind: 'refused', reason: spent.reason };
    // The write-ahead's key check refused: the same named refusal as the early check's.
    if (spent.value.kind === 'budget_refused' && isKeyRefusal(spent.value.reason)) return { kind: 'refused', reason: spent.value.reason };
    return spent.value;
  }

  async function purchase(input: SpendStepInput, authorized: Authorized, stepInputValue: Record<string, unknown>, keyHold?: KeyHold): Promise<PurchaseOutcome> {
    const { approval, step } = authorized;
    const startedAtMs = deps.taskStartedAtMs(input.userId, approval.taskId);
    return deps.payments.purchase({
      userId: input.userId,
      timeZone: deps.timeZoneOf(input.userId),
      idempotencyKey: stepIdempotencyKey(approval.taskId, input.stepId),
      task: { id: approval.taskId, startedAtMs: startedAtMs ?? 0 },
      serviceId: step.serviceId,
      service: step.serviceName,
      providerId: step.call.providerId,
      request: requestForStep({ origin: step.call.origin, method: step.call.method, path: step.call.path, input: stepInputValue }),
      authorization: authorized.authorization,
      outputSchema: step.call.outputSchema ?? null,
      ...(keyHold ? { keyHold } : {}),
    });
  }

  /** The re-approval for a drifted step, at exactly the invoice's amount. */
  function reapproveDrift(input: SpendStepInput, authorized: Authorized, invoiceMsat: Reapproval['invoiceMsat'], autoIfWithinTier: boolean): Reapproval {
    const { approval } = authorized;
    const requoted = deps.quotes.requoteDrift({ userId: input.userId, quoteId: approval.quoteId, stepId: input.stepId, invoiceMsat });
    if (!requoted.ok) throw new Error(`the drift re-quote of an authorized step failed: ${requoted.reason}`);
    const startedAtMs = deps.taskStartedAtMs(input.userId, approval.taskId) ?? 0;
    const asked = deps.approvals.requestReapproval({
      userId: input.userId,
      taskId: approval.taskId,
      quote: requoted.quote,
      reason: 'price_drift',
      stepId: input.stepId,
      taskStartedAtMs: startedAtMs,
      autoIfWithinTier,
      agentKeyId: approval.agentKeyId,
    });
    return { ...asked, quote: requoted.quote, invoiceMsat };
  }

  /** Budget thresholds and the "paid automatically" notice, from what the purchase did. */
  function announce(input: SpendStepInput, authorized: Authorized, outcome: PurchaseOutcome): void {
    const paymentId = 'paymentId' in outcome ? outcome.paymentId : null;
    if (paymentId === null) return;
    notifyBudgetThresholds(deps, { userId: input.userId, timeZone: deps.timeZoneOf(input.userId), rate: authorized.quote.rate });
    const posted = outcome.kind === 'delivered' || outcome.kind === 'paid_not_delivered';
    const { decision } = authorized.approval;
    const payment = deps.payments.records.byId(paymentId);
    if (!posted || decision.kind !== 'auto' || !decision.notify || !payment) return;
    const paid = formatSpend(msat(payment.amountMsat + (payment.feeMsat ?? 0)), authorized.quote.rate);
    deps.alerts.notify(input.userId, {
      kind: 'auto_approved',
      severity: 'info',
      title: 'Approved automatically',
      body: `${authorized.step.serviceName} (${authorized.step.providerName}) was paid ${paid}, fee included: ${decision.why}`,
      data: { approvalId: authorized.approval.id, taskId: authorized.approval.taskId, paymentId, amountMsat: payment.amountMsat, feeMsat: payment.feeMsat },
      dedupeKey: `auto_approved:${paymentId}`,
    });
  }

  /**
   * Pays one approved step (see the top of this file). A drift is re-approved at most once per call
   * without the person: a provider that drifts again after that waits for them.
   */
  async function spend(input: SpendStepInput, autoIfWithinTier: boolean): Promise<SpendResult> {
    const authorized = authorize(deps, input);
    if (!authorized.ok) return { outcome: { kind: 'refused', reason: authorized.reason }, reapproval: null };
    const checked = stepInput(authorized.value.step.call, input.resolvedInput);
    if (!checked.ok) return { outcome: { kind: 'refused', reason: checked.reason }, reapproval: null };
    const keyId = authorized.value.approval.agentKeyId;
    const outcome = keyId === null ? await purchase(input, authorized.value, checked.input) : await purchaseUnderKey(keyId, input, authorized.value, checked.input);
    if (outcome.kind === 'refused') return { outcome, reapproval: null };
    announce(input, authorized.value, outcome);
    if (outcome.kind !== 'needs_approval') return { outcome, reapproval: null };

    const reapproval = reapproveDrift(input, authorized.value, outcome.invoiceMsat, autoIfWithinTier);
    if (reapproval.approval.status !== 'approved') return { outcome: { kind: 'awaiting_reapproval', invoiceMsat: outcome.invoiceMsat }, reapproval };
    const again = await spend({ ...input, approvalId: reapproval.approval.id }, false);
    return { outcome: again.outcome, reapproval: again.reapproval ?? reapproval };
  }

  return {
    spendStep: (input: SpendStepInput): Promise<SpendResult> => spend(input, true),
  };
}
