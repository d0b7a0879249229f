/**
 * An operator's decision on a dispute under review: refund it (all, or an amount) or reject it with a
 * note. Read, check and write happen in one IMMEDIATE transaction, so of two operators deciding at
 * once exactly one decides; the other is told it was already decided (and nothing is paid twice).
 */
import type { DisputeView } from '../../../shared/disputes';
import { formatSats, msat } from '../../../shared/money';
import type { DisputeRow } from '../../db/schema/disputes';
import type { DisputeEngineDeps } from './deps';
import { refundAmountValid } from './rules';
import { appendTransition, toDisputeView } from './views';

export type DecisionResult = { ok: true; dispute: DisputeView } | { ok: false; reason: 'dispute_not_found' | 'already_decided' | 'invalid_refund_amount' };

export type Decision = { kind: 'refund'; amountMsat?: number; note: string } | { kind: 'reject'; note: string };

export function decideDispute(deps: DisputeEngineDeps, operatorId: string, disputeId: string, decision: Decision): DecisionResult {
  const outcome = deps.database.sqlite
    .transaction((): { ok: false; reason: 'dispute_not_found' | 'already_decided' | 'invalid_refund_amount' } | { ok: true; row: DisputeRow } => {
      const current = deps.repo.byId(disputeId);
      if (!current) return { ok: false, reason: 'dispute_not_found' };
      if (current.status !== 'under_review') return { ok: false, reason: 'already_decided' };
      const refundMsat = decision.kind === 'refund' ? (decision.amountMsat ?? current.disputedMsat) : 0;
      if (decision.kind === 'refund' && !refundAmountValid(refundMsat, current.disputedMsat)) return { ok: false, reason: 'invalid_refund_amount' };
      const atMs = deps.now();
      const status = decision.kind === 'refund' ? ('refunding' as const) : ('rejected' as const);
      const note = decision.note || null;
      const patch = {
        status,
        refundMsat,
        operatorNote: note,
        nextAttemptAtMs: status === 'refunding' ? atMs : null,
        updatedAtMs: atMs,
        transitionsJson: appendTransition(current.transitionsJson, { status, atMs, by: 'operator', note }),
      };
      const row = deps.repo.transition(disputeId, ['under_review'], patch);
      return row ? { ok: true, row } : { ok: false, reason: 'already_decided' };
    })
    .immediate();
  if (!outcome.ok) return outcome;
  const { row } = outcome;
  announceDecision(deps, operatorId, row);
  deps.changed(row);
  return { ok: true, dispute: toDisputeView(row, deps.providerNames.for(null)) };
}

function announceDecision(deps: DisputeEngineDeps, operatorId: string, row: DisputeRow): void {
  deps.audit.record(row.userId, 'dispute_decided', { disputeId: row.id, status: row.status, refundMsat: row.refundMsat, operatorId });
  const refunding = row.status === 'refunding';
  const partial = refunding && row.refundMsat < row.disputedMsat;
  deps.alerts.notify(row.userId, {
    kind: 'dispute_update',
    severity: 'info',
    title: refunding ? (partial ? 'Partial refund granted' : 'Refund granted') : 'Dispute rejected',
    body: refunding
      ? `An operator granted ${formatSats(msat(row.refundMsat))} of ${formatSats(msat(row.disputedMsat))}. It is on its way to your wallet.${row.operatorNote ? ` Note: ${row.operatorNote}` : ''}`
      : `An operator rejected your dispute: ${row.operatorNote ?? ''}`,
    data: { disputeId: row.id, status: row.status, refundMsat: row.refundMsat },
    dedupeKey: `dispute:${row.id}:${row.status}`,
  });
}
