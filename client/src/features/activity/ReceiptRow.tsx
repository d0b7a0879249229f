import { ChevronDown, ChevronRight, Flag } from 'lucide-react';
import { Link } from 'react-router';
import { usdCents } from '../../../../shared/money';
import { formatCents, formatSatsWhole } from '../../../../shared/money-display';
import { purchaseReasonText } from '../../../../shared/purchase-reasons';
import { DisputeForm } from '../disputes/DisputeForm';
import { DISPUTABLE, disputeText, OUTCOMES } from './outcomes';
import { ReceiptEvidence, type ActivityReceipt } from './ReceiptEvidence';
import { formatWhen } from '../../lib/format-time';

export type OpenPanel = { id: string; kind: 'evidence' | 'dispute' } | null;

const COLUMNS = 7;

/**
 * One payment: a table row on a wide screen, a stacked card on a phone (activity.css; each cell
 * carries its column's name in data-label). Its dispute, with the refund and who gave it, sits in
 * the status cell; a paid step without one offers the same dispute form as the chat card.
 */
export function ReceiptRow(props: { receipt: ActivityReceipt; open: OpenPanel; onOpen(panel: OpenPanel): void; onDisputed(): void }) {
  const { receipt, open } = props;
  const outcome = OUTCOMES[receipt.outcome];
  const panel = open?.id === receipt.id ? open.kind : null;
  const canDispute = receipt.dispute === null && receipt.taskId !== null && receipt.stepId !== null && DISPUTABLE.has(receipt.outcome);
  const toggle = (kind: 'evidence' | 'dispute') => props.onOpen(panel === kind ? null : { id: receipt.id, kind });

  return (
    <>
      <tr className="receipt" data-testid="receipt-row">
        <td data-label="When">{formatWhen(receipt.createdAtMs)}</td>
        <td data-label="Service">
          {receipt.service}
          {receipt.agentName !== null && <span className="muted" data-testid="receipt-agent"> · agent {receipt.agentName}</span>}
        </td>
        <td data-label="Provider" className="muted" title={receipt.providerId} data-testid="receipt-provider">
          {receipt.providerName}
        </td>
        <td data-label="Amount" className="amount">
          {formatSatsWhole(receipt.amountMsat, 'charge')}
          {receipt.totalUsdCents !== null && <span className="muted fiat">{formatCents(usdCents(receipt.totalUsdCents), { nonzero: receipt.amountMsat > 0 })} with fee</span>}
        </td>
        <td data-label="Fee" className="amount">{receipt.feeMsat === null ? '—' : formatSatsWhole(receipt.feeMsat, 'charge')}</td>
        <td data-label="Status">
          <span className={`status receipt-${outcome.tone}`}>{outcome.label}</span>
          {receipt.reason && <span className="muted reason">{purchaseReasonText(receipt.reason)}</span>}
          {receipt.dispute && (
            <Link className={`reason receipt-dispute dispute-${receipt.dispute.status}`} to="/disputes" data-testid="receipt-dispute">
              {disputeText(receipt.dispute)}
            </Link>
          )}
        </td>
        <td className="receipt-actions">
          {canDispute && (
            <button type="button" className="button subtle" aria-expanded={panel === 'dispute'} onClick={() => toggle('dispute')} data-testid="receipt-dispute-open">
              <Flag size={16} aria-hidden /> Dispute
            </button>
          )}
          <button type="button" className="button subtle" aria-expanded={panel === 'evidence'} aria-controls={`evidence-${receipt.id}`} onClick={() => toggle('evidence')}>
            {panel === 'evidence' ? <ChevronDown size={16} aria-hidden /> : <ChevronRight size={16} aria-hidden />}
            Evidence
          </button>
        </td>
      </tr>
      {panel && (
        <tr className="evidence-row">
          <td colSpan={COLUMNS} id={`${panel}-${receipt.id}`}>
            {panel === 'evidence' ? (
              <ReceiptEvidence receipt={receipt} />
            ) : (
              receipt.taskId &&
              receipt.stepId && (
                <DisputeForm taskId={receipt.taskId} stepId={receipt.stepId} onOpened={props.onDisputed} onCancel={() => props.onOpen(null)} />
              )
            )}
          </td>
        </tr>
      )}
    </>
  );
}
