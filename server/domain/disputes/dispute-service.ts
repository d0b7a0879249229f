/**
 * Disputes: opening (opening.ts), operators' decisions (decisions.ts), refunds paid over NWC
 * (refund.ts) with a background retry loop, and the views. The factory wires; the logic lives in
 * those modules.
 */
import type { DisputeView } from '../../../shared/disputes';
import type { DatabaseHandle } from '../../db/client';
import { createDisputesRepository } from '../../db/repositories/disputes-repository';
import { createRetryLoop } from '../payments';
import { decideDispute, type Decision, type DecisionResult } from './decisions';
import type { DisputeEngineDeps } from './deps';
import { openDispute, type OpenDisputeRequest, type OpenDisputeResult, type OpeningDeps } from './opening';
import { advanceRefund, type RefundStep } from './refund';
import { DEFAULT_DISPUTE_SHARE_PERCENT } from './rules';
import { toDisputeBrief, toDisputeView, type DisputeBrief } from './views';

const REFUND_BATCH = 20;
const LIST_LIMIT = 100;

export interface DisputesOptions extends Omit<DisputeEngineDeps, 'repo' | 'changed' | 'now' | 'database'> {
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>;
  outputSchemaOf: OpeningDeps['outputSchemaOf'];
  /** The share of a month's paid spend a person may dispute themselves (DISPUTE_MAX_SHARE_PERCENT). */
  sharePercent?: number;
  now?: () => number;
}

export type Disputes = ReturnType<typeof createDisputes>;

export function createDisputes(options: DisputesOptions) {
  const now = options.now ?? Date.now;
  const repo = createDisputesRepository(options.database.db);
  const listeners = new Set<(row: { userId: string; id: string }) => void>();
  const engine: OpeningDeps = {
    ...options,
    repo,
    now,
    sharePercent: options.sharePercent ?? DEFAULT_DISPUTE_SHARE_PERCENT,
    changed: (row) => listeners.forEach((l) => l(row)),
  };
  const loop = createRetryLoop<RefundStep>((id) => advanceRefund(engine, id));
  const refund = (disputeId: string): Promise<RefundStep> => loop.attempt(disputeId);
  /** One pass of the background loop: pay the refunds that are due. */
  const refundPass = async (): Promise<void> => {
    for (const row of repo.dueForRefund(now(), REFUND_BATCH)) await refund(row.id);
  };
  const startRefundIfDecided = (view: DisputeView) => {
    if (view.status === 'refunding') void refund(view.id).catch(() => undefined);
  };

  return {
    /** Opens a dispute on a paid step; non-delivery starts its refund at once. */
    open(request: OpenDisputeRequest): OpenDisputeResult {
      const opened = openDispute(engine, request);
      if (opened.ok && opened.created) startRefundIfDecided(opened.dispute);
      return opened;
    },
    decide(operatorId: string, disputeId: string, decision: Decision): DecisionResult {
      const decided = decideDispute(engine, operatorId, disputeId, decision);
      if (decided.ok) startRefundIfDecided(decided.dispute);
      return decided;
    },
    list: (userId: string): DisputeView[] => repo.listForUser(userId, LIST_LIMIT).map(toDisputeView),
    get(userId: string, disputeId: string): { ok: true; dispute: DisputeView } | { ok: false; reason: 'dispute_not_found' } {
      const row = repo.forUser(userId, disputeId);
      return row ? { ok: true, dispute: toDisputeView(row) } : { ok: false, reason: 'dispute_not_found' };
    },
    forStep(userId: string, taskId: string, stepId: string): DisputeView | null {
      const row = repo.byStep(userId, taskId, stepId);
      return row ? toDisputeView(row) : null;
    },
    /** Each of these payments' dispute in brief, by payment id (Activity shows it beside the payment). */
    forPayments(userId: string, paymentIds: readonly string[]): Map<string, DisputeBrief> {
      return new Map(repo.forPayments(userId, paymentIds).map((row) => [row.paymentId, toDisputeBrief(row)]));
    },
    /** The operators' queue: disputes waiting for a decision, oldest first. */
    underReview: (): DisputeView[] => repo.withStatus(['under_review'], LIST_LIMIT).map(toDisputeView),
    /** Decided refunds not yet in the person's wallet (the operator console shows them too). */
    refunding: (): DisputeView[] => repo.withStatus(['refunding'], LIST_LIMIT).map(toDisputeView),
    sharePercent: (): number => engine.sharePercent,
    /** Called with each changed dispute (the Disputes page's live updates). */
    onChange(listener: (row: { userId: string; id: string }) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refund,
    refundPass,
    /** Starts the retry loop; the first pass runs at once (work a crash left behind). */
    start: (intervalMs: number, onError: (error: unknown) => void) => loop.start(intervalMs, refundPass, onError),
    /** Resolves when no refund run is in flight (tests). */
    idle: () => loop.idle(),
  };
}
