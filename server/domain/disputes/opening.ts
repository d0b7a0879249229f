/**
 * Opening a dispute on one paid step: the evidence is copied from the payment, the rules route it
 * (refund at once, or review), the abuse limit is applied to what a person disputes themselves, and
 * the row is inserted once per step (the UNIQUE indexes settle races).
 */
import { randomUUID } from 'node:crypto';
import type { DisputeCategory, DisputeEvidence, DisputeOpener, DisputeTransition, DisputeView } from '../../../shared/disputes';
import { formatSats, msat } from '../../../shared/money';
import type { PaymentRow } from '../../db/schema/payments';
import type { DisputeEngineDeps } from './deps';
import { checkAbuseLimit, monthStartUtcMs, routeOpening } from './rules';
import { purchaseName, toDisputeView } from './views';

export interface OpenDisputeRequest {
  userId: string;
  taskId: string;
  stepId: string;
  paymentId: string;
  category: DisputeCategory;
  reason: string;
  openedBy: DisputeOpener;
}

export type OpenDisputeResult =
  | { ok: true; dispute: DisputeView; created: boolean }
  | { ok: false; reason: 'step_not_paid' | 'already_disputed' | 'dispute_limit_reached' };

export interface OpeningDeps extends DisputeEngineDeps {
  /** The output schema the service publishes now, as JSON text (evidence for schema failures). */
  outputSchemaOf: (userId: string, serviceId: string) => string | null;
  /** Whether a provider the operator configured publishes this service at this URL's origin (not one a person added). */
  providerListed: (serviceId: string, url: string) => boolean;
  sharePercent: number;
}

const PAID = new Set(['paid', 'paid_unusable']);

export function openDispute(deps: OpeningDeps, request: OpenDisputeRequest): OpenDisputeResult {
  const existing = deps.repo.byStep(request.userId, request.taskId, request.stepId);
  if (existing) return request.openedBy === 'automatic' ? { ok: true, dispute: toDisputeView(existing, deps.providerNames.for(request.userId)), created: false } : { ok: false, reason: 'already_disputed' };
  const payment = deps.repo.payment(request.userId, request.paymentId);
  if (!payment || !PAID.has(payment.status)) return { ok: false, reason: 'step_not_paid' };
  const evidence = evidenceOf(deps, payment);
  const disputedMsat = evidence.amountMsat + evidence.feeMsat;
  const route = routeOpening(evidence, deps.providerListed(payment.serviceId, payment.url));
  const nowMs = deps.now();
  if (route.route === 'review') {
    const since = monthStartUtcMs(nowMs);
    const limit = checkAbuseLimit({
      openedBy: request.openedBy,
      disputedMsat,
      alreadyMsat: deps.repo.personDisputedSince(request.userId, since),
      paidThisMonthMsat: deps.repo.paidSince(request.userId, since),
      sharePercent: deps.sharePercent,
    });
    if (!limit.ok) return { ok: false, reason: 'dispute_limit_reached' };
  }
  const by = request.openedBy === 'automatic' ? 'steward' : 'person';
  const opened: DisputeTransition = { status: 'open', atMs: nowMs, by, note: request.reason || null };
  const next: DisputeTransition & { status: 'refunding' | 'under_review' } =
    route.route === 'refund'
      ? { status: 'refunding', atMs: nowMs, by: 'steward', note: route.why === 'not_delivered' ? 'Paid and not delivered: refunded automatically.' : 'Charged more than approved: refunded automatically.' }
      : { status: 'under_review', atMs: nowMs, by: 'steward', note: null };
  const row = {
    id: randomUUID(),
    userId: request.userId,
    taskId: request.taskId,
    stepId: request.stepId,
    paymentId: payment.id,
    status: next.status,
    category: request.category,
    openedBy: request.openedBy,
    reason: request.reason,
    disputedMsat,
    refundMsat: route.route === 'refund' ? disputedMsat : 0,
    evidenceJson: JSON.stringify(evidence),
    transitionsJson: JSON.stringify([opened, next]),
    nextAttemptAtMs: route.route === 'refund' ? nowMs : null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  };
  if (!deps.repo.insert(row)) {
    const raced = deps.repo.byStep(request.userId, request.taskId, request.stepId);
    if (raced && request.openedBy === 'automatic') return { ok: true, dispute: toDisputeView(raced, deps.providerNames.for(request.userId)), created: false };
    return { ok: false, reason: 'already_disputed' };
  }
  const stored = deps.repo.byId(row.id);
  if (!stored) return { ok: false, reason: 'already_disputed' };
  announceOpening(deps, stored.id, request, evidence, next.status);
  deps.changed(stored);
  return { ok: true, dispute: toDisputeView(stored, deps.providerNames.for(request.userId)), created: true };
}

function announceOpening(deps: OpeningDeps, disputeId: string, request: OpenDisputeRequest, evidence: DisputeEvidence, status: 'refunding' | 'under_review'): void {
  const amount = formatSats(msat(evidence.amountMsat + evidence.feeMsat));
  const purchase = purchaseName(evidence, deps.providerNames.for(request.userId));
  deps.audit.record(request.userId, 'dispute_opened', { disputeId, paymentId: evidence.paymentId, category: request.category, openedBy: request.openedBy, status });
  deps.alerts.notify(request.userId, {
    kind: 'dispute_update',
    severity: status === 'refunding' ? 'warning' : 'info',
    title: status === 'refunding' ? 'Not delivered: refund on its way' : 'Dispute under review',
    body:
      status === 'refunding'
        ? `${purchase} was paid (${amount}) and did not deliver. Steward is refunding it to your wallet.`
        : `Your dispute about ${purchase}, ${amount}, is waiting for an operator's review.`,
    data: { disputeId, status, serviceId: evidence.serviceId },
    dedupeKey: `dispute:${disputeId}:${status}`,
  });
}

function evidenceOf(deps: OpeningDeps, payment: PaymentRow): DisputeEvidence {
  const reservation = deps.ledger.getReservation(payment.reservationId);
  return {
    paymentId: payment.id,
    serviceId: payment.serviceId,
    providerId: payment.providerId,
    url: payment.url,
    challengeScheme: payment.challengeScheme,
    invoice: payment.invoice,
    paymentHash: payment.paymentHash,
    preimageHex: payment.preimageHex,
    macaroonIdHex: payment.macaroonIdHex,
    amountMsat: payment.amountMsat,
    feeMsat: payment.feeMsat ?? 0,
    approvedMaxMsat: reservation ? reservation.amountMsat : null,
    httpStatus: payment.httpStatus,
    responseBytes: payment.responseBytes,
    responseSha256: payment.responseSha256,
    delivery: payment.status === 'paid_unusable' ? 'paid_not_delivered' : payment.delivery,
    deliveryReason: payment.reason,
    deliveryDetail: payment.deliveryDetail,
    outputSchemaJson: deps.outputSchemaOf(payment.userId, payment.serviceId),
    paidAtMs: payment.paidAtMs,
    requestedAtMs: payment.deliveryRequestedAtMs,
    answeredAtMs: payment.deliveredAtMs,
  };
}
