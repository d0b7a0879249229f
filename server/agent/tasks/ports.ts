import type { DisputeCategory, DisputeOpener, DisputeView } from '../../../shared/disputes';
/**
 * What the task runner needs from the rest of the app, as narrow structural types: the quotes,
 * approvals and payments domain services satisfy them, the composition root passes them in, and
 * the runner imports no storage or transport.
 */
import type { PolicyDecision } from '../../../shared/governance';
import type { BtcUsdRate, Msat } from '../../../shared/money';
import type { ChainedInputBound } from '../../domain/quotes';
import type { SpendResult, SpendStepInput } from '../../domain/spending';

export interface QuoteStepRequest {
  stepId: string;
  serviceId: string;
  serviceName: string;
  providerName: string;
  providerId: string;
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  input: Record<string, unknown>;
  /** Usage by constraint name, for formula and dynamic prices. */
  usage?: Record<string, number>;
  /** The provider's published node key: spending refuses an invoice payable to anyone else. */
  payeePubkeyHex?: string;
  /** The JSON Schema the service publishes for its paid answer: the purchase judges delivery by it. */
  outputSchema?: Record<string, unknown>;
  /** For a chained step: the stand-in field and the bound its real text must keep to. */
  chained?: ChainedInputBound;
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

export interface ApprovalRequestResult {
  decision: PolicyDecision;
  approval: TaskApproval;
}

export interface ApprovalsPort<Q extends TaskQuote = TaskQuote> {
  /** `confirmBecause`: never approve automatically (a partial plan); the sentence says why. */
  request(input: { userId: string; quote: Q; taskStartedAtMs?: number; agentKeyId: string | null; confirmBecause?: string }): Promise<ApprovalRequestResult> | ApprovalRequestResult;
  requestReapproval(input: {
    userId: string;
    taskId: string;
    quote: Q;
    reason: 'quote_expired';
    stepId: string;
    taskStartedAtMs?: number;
    agentKeyId: string | null;
  }): Promise<ApprovalRequestResult> | ApprovalRequestResult;
  waitForResolution(approvalId: string, signal?: AbortSignal): Promise<TaskApproval>;
  cancelForTask(input: { userId: string; taskId: string }): unknown;
}

/** domain/spending: pays an approved step by ids; the runner never holds a limit. */
export interface SpendingPort {
  spendStep(input: SpendStepInput): Promise<SpendResult>;
}

export interface PaymentsPort {
  /** The payment made under a step's idempotency key, if any: its id, status and what it cost (fee once settled). */
  paymentFor(userId: string, idempotencyKey: string): { id: string; status: string; amountMsat: number; feeMsat: number | null } | undefined;
  /** One reconciler pass, run before resuming tasks so a payment left `paying` has its outcome. */
  reconcileOnce(): Promise<unknown>;
}

/** Opens a real dispute (server/domain/disputes) on a paid step, with the payment's evidence. */
export interface DisputesPort {
  open(request: { userId: string; taskId: string; stepId: string; paymentId: string; category: DisputeCategory; reason: string; openedBy: DisputeOpener }):
    | { ok: true; dispute: DisputeView }
    | { ok: false; reason: 'step_not_paid' | 'already_disputed' | 'dispute_limit_reached' };
}
