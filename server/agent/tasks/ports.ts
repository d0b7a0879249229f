/**
 * What the task runner needs from the rest of the app, as narrow structural types: the quotes,
 * approvals and payments domain services satisfy them, the composition root passes them in, and
 * the runner imports no storage or transport.
 */
import type { PolicyDecision } from '../../../shared/governance';
import type { BtcUsdRate, Msat } from '../../../shared/money';
import type { PurchaseOutcome, PurchaseRequest } from '../../domain/payments';

export interface QuoteStepRequest {
  stepId: string;
  serviceId: string;
  serviceName: string;
  providerName: string;
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  input: Record<string, unknown>;
  /** Usage by constraint name, for formula and dynamic prices. */
  usage?: Record<string, number>;
}

export interface QuotedStep {
  stepId: string;
  priceMsatMin: Msat;
  priceMsatMax: Msat;
  feeAllowanceMsat: Msat;
  maxMsat: Msat;
}

export interface TaskQuote {
  id: string;
  expiresAt: number | string | Date;
  rate: BtcUsdRate;
  steps: readonly QuotedStep[];
  totalMsatMin: Msat;
  totalMsatMax: Msat;
  totalUsdCentsMin: number;
  totalUsdCentsMax: number;
}

export type QuotePlanResult<Q extends TaskQuote> = { ok: true; quote: Q } | { ok: false; reason: string; stepId?: string; message: string };

export interface QuotesPort<Q extends TaskQuote = TaskQuote> {
  quotePlan(input: { userId: string; taskId: string; steps: QuoteStepRequest[] }): Promise<QuotePlanResult<Q>>;
}

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

export interface TaskApproval {
  id: string;
  status: ApprovalStatus;
  decisionKind: string;
  why: string;
  maxMsat: Msat;
  stepMaxMsat: Readonly<Record<string, Msat>>;
}

/** What paying one step of an approved quote may spend (approvals' authorizationForStep). */
export type StepAuthorization =
  | { ok: true; quoteId: string; approvedMaxMsat: Msat; authorizedOverageMsat: Msat; rate: BtcUsdRate }
  | { ok: false; reason: 'not_found' | 'not_approved' | 'unknown_step' | 'quote_expired' };

export type ReapprovalReason = 'price_drift' | 'quote_expired';

export interface ApprovalRequestResult {
  decision: PolicyDecision;
  approval: TaskApproval;
}

export interface ApprovalsPort<Q extends TaskQuote = TaskQuote> {
  request(input: { userId: string; quote: Q; taskStartedAtMs?: number }): Promise<ApprovalRequestResult> | ApprovalRequestResult;
  requestReapproval(input: { userId: string; taskId: string; quote: Q; reason: ReapprovalReason; stepId: string; taskStartedAtMs?: number }): Promise<ApprovalRequestResult> | ApprovalRequestResult;
  authorizationForStep(input: { userId: string; approvalId: string; stepId: string }): StepAuthorization;
  waitForResolution(approvalId: string, signal?: AbortSignal): Promise<TaskApproval>;
  cancelForTask(input: { userId: string; taskId: string }): unknown;
}

export interface PaymentsPort {
  purchase(request: PurchaseRequest): Promise<PurchaseOutcome>;
  /** The payment made under a step's idempotency key, if any: its id and what it cost (fee once settled). */
  paymentFor(userId: string, idempotencyKey: string): { id: string; amountMsat: number; feeMsat: number | null } | undefined;
  /** One reconciler pass, run before resuming tasks so a payment left `paying` has its outcome. */
  reconcileOnce(): Promise<unknown>;
}
