/**
 * Disputes: opening (opening.ts), operators' decisions (decisions.ts), refunds paid over NWC
 * (refund.ts) with a background retry loop, and the views. The factory wires; the logic lives in
 * those modules.
 */
import type { DisputeView } from '../../../shared/disputes';
import type { ProviderClaimItem } from '../../../shared/provider-refunds';
import type { DatabaseHandle } from '../../db/client';
import type { DisputeRow } from '../../db/schema/disputes';
import { createDisputesRepository } from '../../db/repositories/disputes-repository';
import { createProviderClaimsRepository } from '../../db/repositories/provider-claims-repository';
import type { Leases } from '../background';
import { createRetryLoop } from '../payments';
import { createLocalLiveBus, liveValues, type LiveBus } from '../ports/live-bus';
import { decideDispute, type Decision, type DecisionResult } from './decisions';
import type { DisputeEngineDeps } from './deps';
import { openDispute, type OpenDisputeRequest, type OpenDisputeResult, type OpeningDeps } from './opening';
import { advanceRefund, type RefundStep } from './refund';
import { DEFAULT_DISPUTE_SHARE_PERCENT } from './rules';
import { settleClaim, type SettleClaimResult } from './claims';
import { toClaimView, toDisputeBrief, toDisputeView, type DisputeBrief } from './views';

const REFUND_BATCH = 20;
const LIST_LIMIT = 100;
const PROVIDER_HISTORY_LIMIT = 10;
/** The provider's return invoice lives two minutes: long enough to pay, short enough that the treasury's wait is brief. */
export const DEFAULT_RETURN_INVOICE_EXPIRY_SEC = 120;

export interface DisputesOptions extends Omit<DisputeEngineDeps, 'repo' | 'claims' | 'changed' | 'now' | 'database' | 'returnInvoiceExpirySec'> {
  database: Pick<DatabaseHandle, 'db' | 'sqlite'>;
  outputSchemaOf: OpeningDeps['outputSchemaOf'];
  providerListed: OpeningDeps['providerListed'];
  /**
   * Told once per paid call judged not delivered (each opens exactly one automatic dispute) from a
   * provider the operator lists: provider reputation pauses the service when its rate passes the
   * operators' threshold (reputation/standing.ts).
   */
  afterNonDelivery?: (service: { providerId: string; serviceId: string; origin: string }) => void;
  /** The share of a month's paid spend a person may dispute themselves (DISPUTE_MAX_SHARE_PERCENT). */
  sharePercent?: number;
  returnInvoiceExpirySec?: number;
  /** Where changes are told (compose's one bus, shared with other instances); default: this process only. */
  liveBus?: LiveBus;
  /** This instance's leases: a refund is paid by one instance at a time. */
  leases: Pick<Leases, 'withLease'>;
  now?: () => number;
}

export type Disputes = ReturnType<typeof createDisputes>;

/** An event carries the id only: a listener that fell behind re-reads the dispute as it is now. */
export interface DisputeChanged {
  disputeId: string;
}

export function createDisputes(options: DisputesOptions) {
  const now = options.now ?? Date.now;
  const repo = createDisputesRepository(options.database.db);
  const bus = options.liveBus ?? createLocalLiveBus();
  const engine: OpeningDeps = {
    ...options,
    repo,
    claims: createProviderClaimsRepository(options.database.db),
    returnInvoiceExpirySec: options.returnInvoiceExpirySec ?? DEFAULT_RETURN_INVOICE_EXPIRY_SEC,
    now,
    sharePercent: options.sharePercent ?? DEFAULT_DISPUTE_SHARE_PERCENT,
    changed: (row) => bus.publish({ kind: 'dispute', userId: row.userId, id: row.id }),
  };
  const loop = createRetryLoop<RefundStep>('pay_refund', options.leases, (id, held) => advanceRefund(engine, id, held));
  const refund = (disputeId: string): Promise<RefundStep | 'leased_elsewhere'> => loop.attempt(disputeId);
  /** One pass of the background loop: pay the refunds that are due. */
  const refundPass = async (): Promise<void> => {
    for (const row of repo.dueForRefund(now(), REFUND_BATCH)) await refund(row.id);
  };
  /** Disputes as operators read them: one name lookup for the whole list. */
  const operatorViews = (rows: readonly DisputeRow[]): DisputeView[] => {
    const nameOf = options.providerNames.for(null);
    return rows.map((row) => toDisputeView(row, nameOf));
  };
  const startRefundIfDecided = (view: DisputeView) => {
    if (view.status === 'refunding') void refund(view.id).catch(() => undefined);
  };

  return {
    /** Opens a dispute on a paid step; non-delivery starts its refund at once. */
    open(request: OpenDisputeRequest): OpenDisputeResult {
      const opened = openDispute(engine, request);
      if (!opened.ok || !opened.created) return opened;
      startRefundIfDecided(opened.dispute);
      const { evidence } = opened.dispute;
      // Standing pauses a service for everyone by its id. A person-added manifest chooses its own ids, so
      // it could share another person's service id and pause it with failures of its own making: only
      // the operator's providers (whose ids added manifests cannot take) count towards a pause.
      if (evidence.delivery === 'paid_not_delivered' && engine.providerListed(evidence.serviceId, evidence.url)) {
        options.afterNonDelivery?.({ providerId: evidence.providerId, serviceId: evidence.serviceId, origin: new URL(evidence.url).origin });
      }
      return opened;
    },
    decide(operatorId: string, disputeId: string, decision: Decision): DecisionResult {
      const decided = decideDispute(engine, operatorId, disputeId, decision);
      if (decided.ok) startRefundIfDecided(decided.dispute);
      return decided;
    },
    list(userId: string): DisputeView[] {
      const nameOf = options.providerNames.for(userId);
      return repo.listForUser(userId, LIST_LIMIT).map((row) => toDisputeView(row, nameOf));
    },
    get(userId: string, disputeId: string): { ok: true; dispute: DisputeView } | { ok: false; reason: 'dispute_not_found' } {
      const row = repo.forUser(userId, disputeId);
      return row ? { ok: true, dispute: toDisputeView(row, options.providerNames.for(userId)) } : { ok: false, reason: 'dispute_not_found' };
    },
    forStep(userId: string, taskId: string, stepId: string): DisputeView | null {
      const row = repo.byStep(userId, taskId, stepId);
      return row ? toDisputeView(row, options.providerNames.for(userId)) : null;
    },
    /** Each of these payments' dispute in brief, by payment id (Activity shows it beside the payment). */
    forPayments(userId: string, paymentIds: readonly string[]): Map<string, DisputeBrief> {
      return new Map(repo.forPayments(userId, paymentIds).map((row) => [row.paymentId, toDisputeBrief(row)]));
    },
    /** The operators' queue: disputes waiting for a decision, oldest first. */
    underReview: (): DisputeView[] => operatorViews(repo.withStatus(['under_review'], LIST_LIMIT)),
    /** Decided refunds not yet in the person's wallet (the operator console shows them too). */
    refunding: (): DisputeView[] => operatorViews(repo.withStatus(['refunding'], LIST_LIMIT)),
    /** The provider's latest disputes, everyone's (operators weigh a dispute against the provider's history). */
    forProvider: (providerId: string): DisputeView[] => operatorViews(repo.recentForProvider(providerId, PROVIDER_HISTORY_LIMIT)),
    sharePercent: (): number => engine.sharePercent,
    /** Claims against providers that did not refund, newest first (the operator console). */
    claims(): ProviderClaimItem[] {
      const nameOf = options.providerNames.for(null);
      return engine.claims.list(LIST_LIMIT).map((row) => {
        const dispute = repo.byId(row.disputeId);
        return { claim: toClaimView(row, nameOf), dispute: dispute ? toDisputeView(dispute, nameOf) : null };
      });
    },
    /** An operator records that the provider paid a claim back; of two operators, one settles it. */
    settleClaim: (operatorId: string, claimId: string, note: string): SettleClaimResult => settleClaim(engine, operatorId, claimId, note),
    /** The person's disputes as they change (the Disputes page's live updates), until `signal` aborts. */
    changes: (userId: string, signal: AbortSignal | undefined): AsyncGenerator<DisputeChanged> =>
      liveValues(bus, 'dispute', userId, signal, (disputeId): DisputeChanged => ({ disputeId })),
    refund,
    refundPass,
    /** Starts the retry loop; the first pass runs at once (work a crash left behind). */
    start: (intervalMs: number, onError: (error: unknown) => void) => loop.start(intervalMs, refundPass, onError),
    /** Resolves when no refund run is in flight (tests). */
    idle: () => loop.idle(),
  };
}
