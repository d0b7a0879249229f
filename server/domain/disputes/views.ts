/** Disputes as the API shows them, and the stored JSON they carry read back through zod. */
import { z } from 'zod';
import { disputeEvidenceSchema, disputeTransitionSchema, type DisputeEvidence, type DisputeTransition, type DisputeView } from '../../../shared/disputes';
import type { ProviderClaimView } from '../../../shared/provider-refunds';
import type { RefundDecider } from '../../../shared/activity';
import type { RefundSource } from '../../../shared/provider-refunds';
import type { DisputeRow, ProviderClaimRow } from '../../db/schema/disputes';
import type { ProviderNameOf } from '../reputation/provider-names';

const transitionsSchema = z.array(disputeTransitionSchema);

export function readEvidence(row: Pick<DisputeRow, 'evidenceJson'>): DisputeEvidence {
  return disputeEvidenceSchema.parse(JSON.parse(row.evidenceJson));
}

export function readTransitions(json: string): DisputeTransition[] {
  return transitionsSchema.parse(JSON.parse(json));
}

/**
 * Who decided the refund: Steward at once (non-delivery, overcharge) or an operator after review;
 * null until a refund is decided (and for a rejected dispute).
 */
export function refundDeciderOf(transitions: readonly DisputeTransition[]): RefundDecider | null {
  const decided = transitions.find((t) => t.status === 'refunding');
  if (!decided) return null;
  return decided.by === 'operator' ? 'operator' : 'automatic';
}

/** A dispute in brief, as Activity shows it beside its payment. */
export interface DisputeBrief {
  disputeId: string;
  status: DisputeRow['status'];
  refundMsat: number;
  refundDecidedBy: RefundDecider | null;
  /** Who paid it: the provider (its own refund endpoint) or the treasury. */
  refundPaidBy: RefundSource | null;
  refundedAtMs: number | null;
}

export function toDisputeBrief(row: DisputeRow): DisputeBrief {
  return {
    disputeId: row.id,
    status: row.status,
    refundMsat: row.refundMsat,
    refundDecidedBy: refundDeciderOf(readTransitions(row.transitionsJson)),
    refundPaidBy: row.refundSource,
    refundedAtMs: row.refundedAtMs,
  };
}

/** The transitions with one more at the end, as stored. */
export function appendTransition(json: string, transition: DisputeTransition): string {
  return JSON.stringify([...readTransitions(json), transition]);
}

/**
 * The disputed purchase as the chat card and the other alerts name it, "joke (Satoshi Jokes)": the
 * catalog id `satoshi-jokes/joke` already carries the provider, named after it.
 */
export function purchaseName(evidence: Pick<DisputeEvidence, 'serviceId' | 'providerId'>, nameOf: ProviderNameOf): string {
  const prefix = `${evidence.providerId}/`;
  const service = evidence.serviceId.startsWith(prefix) ? evidence.serviceId.slice(prefix.length) : evidence.serviceId;
  return `${service} (${nameOf(evidence.providerId)})`;
}

/** `nameOf` names the disputed payment's provider for whoever reads the view. */
export function toDisputeView(row: DisputeRow, nameOf: ProviderNameOf): DisputeView {
  const evidence = readEvidence(row);
  return {
    id: row.id,
    userId: row.userId,
    taskId: row.taskId,
    stepId: row.stepId,
    status: row.status,
    category: row.category,
    openedBy: row.openedBy,
    reason: row.reason,
    disputedMsat: row.disputedMsat,
    refundMsat: row.refundMsat,
    operatorNote: row.operatorNote,
    evidence,
    providerName: nameOf(evidence.providerId),
    transitions: readTransitions(row.transitionsJson),
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
    refundedAtMs: row.refundedAtMs,
    refundSource: row.refundSource,
  };
}

export function toClaimView(row: ProviderClaimRow, nameOf: ProviderNameOf): ProviderClaimView {
  return {
    id: row.id,
    disputeId: row.disputeId,
    providerId: row.providerId,
    providerName: nameOf(row.providerId),
    serviceId: row.serviceId,
    amountMsat: row.amountMsat,
    reason: row.reason,
    detail: row.detail,
    status: row.status,
    note: row.note,
    createdAtMs: row.createdAtMs,
    settledAtMs: row.settledAtMs,
  };
}
