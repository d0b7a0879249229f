/** Disputes as the API shows them, and the stored JSON they carry read back through zod. */
import { z } from 'zod';
import { disputeEvidenceSchema, disputeTransitionSchema, type DisputeEvidence, type DisputeTransition, type DisputeView } from '../../../shared/disputes';
import type { RefundSource } from '../../../shared/activity';
import type { DisputeRow } from '../../db/schema/disputes';

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
export function refundSourceOf(transitions: readonly DisputeTransition[]): RefundSource | null {
  const decided = transitions.find((t) => t.status === 'refunding');
  if (!decided) return null;
  return decided.by === 'operator' ? 'operator' : 'automatic';
}

/** A dispute in brief, as Activity shows it beside its payment. */
export interface DisputeBrief {
  disputeId: string;
  status: DisputeRow['status'];
  refundMsat: number;
  refundSource: RefundSource | null;
  refundedAtMs: number | null;
}

export function toDisputeBrief(row: DisputeRow): DisputeBrief {
  return {
    disputeId: row.id,
    status: row.status,
    refundMsat: row.refundMsat,
    refundSource: refundSourceOf(readTransitions(row.transitionsJson)),
    refundedAtMs: row.refundedAtMs,
  };
}

/** The transitions with one more at the end, as stored. */
export function appendTransition(json: string, transition: DisputeTransition): string {
  return JSON.stringify([...readTransitions(json), transition]);
}

export function toDisputeView(row: DisputeRow): DisputeView {
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
    evidence: readEvidence(row),
    transitions: readTransitions(row.transitionsJson),
    createdAtMs: row.createdAtMs,
    updatedAtMs: row.updatedAtMs,
    refundedAtMs: row.refundedAtMs,
  };
}
