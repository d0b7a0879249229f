import { useQuery } from '@tanstack/react-query';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { formatSats, msat, usdCents } from '../../../../shared/money';
import { formatCents, formatSatsWhole } from '../../../../shared/money-display';
import { purchaseReasonText } from '../../lib/purchase-reasons';
import { useTRPC } from '../../lib/trpc';
import './activity.css';

/** A payment's dispute in a few words, beside the payment (the Disputes page has the rest). */
function disputeText(dispute: { status: string; refundMsat: number }): string {
  if (dispute.status === 'refunded') return `Refunded ${formatSats(msat(dispute.refundMsat))}`;
  if (dispute.status === 'refunding') return 'Refund on its way';
  if (dispute.status === 'rejected') return 'Dispute rejected';
  return 'Disputed: under review';
}

/** What each receipt outcome means to the person, and how it looks. */
const OUTCOMES = {
  delivered: { label: 'Delivered', tone: 'good' },
  paid: { label: 'Paid', tone: 'good' },
  pending: { label: 'Confirming payment', tone: 'warn' },
  failed: { label: 'Not paid', tone: 'muted' },
  paid_not_delivered: { label: 'Paid, not delivered', tone: 'bad' },
  paid_unusable: { label: 'Paid, no proof from wallet', tone: 'bad' },
} as const;

const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toLocaleString());

export function ActivityPage() {
  const trpc = useTRPC();
  const receipts = useQuery(trpc.activity.list.queryOptions());
  const [open, setOpen] = useState<string | null>(null);

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Activity</h1>
        <p className="page-summary">Every payment the agent made, with its receipt and the evidence kept for it.</p>
      </header>
      <div className="card">
        {receipts.isPending && <p className="muted">Loading receipts…</p>}
        {receipts.isError && <p className="form-error">Receipts could not be loaded. Please try again.</p>}
        {receipts.data?.length === 0 && (
          <p className="muted" data-testid="activity-empty">
            No payments yet. When the agent buys something for you, its receipt appears here.
          </p>
        )}
        {receipts.data && receipts.data.length > 0 && (
          <table className="table stack activity-table" data-testid="activity-receipts">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Service</th>
                <th scope="col">Provider</th>
                <th scope="col" className="amount">Amount</th>
                <th scope="col" className="amount">Fee</th>
                <th scope="col">Status</th>
                <th scope="col"><span className="visually-hidden">Evidence</span></th>
              </tr>
            </thead>
            <tbody>
              {receipts.data.map((receipt) => {
                const outcome = OUTCOMES[receipt.outcome];
                const expanded = open === receipt.id;
                return (
                  <Fragment key={receipt.id}>
                    <tr>
                      <td data-label="When">{when(receipt.createdAtMs)}</td>
                      <td data-label="Service">
                        {receipt.service}
                        {receipt.agentName !== null && <span className="muted" data-testid="receipt-agent"> · agent {receipt.agentName}</span>}
                      </td>
                      <td data-label="Provider" className="muted">{receipt.providerId}</td>
                      <td data-label="Amount" className="amount">
                        {formatSatsWhole(receipt.amountMsat, 'charge')}
                        {receipt.totalUsdCents !== null && <span className="muted fiat">{formatCents(usdCents(receipt.totalUsdCents), { nonzero: receipt.amountMsat > 0 })} with fee</span>}
                      </td>
                      <td data-label="Fee" className="amount">{receipt.feeMsat === null ? '—' : formatSatsWhole(receipt.feeMsat, 'charge')}</td>
                      <td data-label="Status">
                        <span className={`status receipt-${outcome.tone}`}>{outcome.label}</span>
                        {receipt.reason && <span className="muted reason">{purchaseReasonText(receipt.reason)}</span>}
                        {receipt.dispute && (
                          <Link className="reason" to="/disputes" data-testid="receipt-dispute">
                            {disputeText(receipt.dispute)}
                          </Link>
                        )}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="button subtle"
                          aria-expanded={expanded}
                          aria-controls={`evidence-${receipt.id}`}
                          onClick={() => setOpen(expanded ? null : receipt.id)}
                        >
                          {expanded ? <ChevronDown size={16} aria-hidden /> : <ChevronRight size={16} aria-hidden />}
                          Evidence
                        </button>
                      </td>
                    </tr>
                    {expanded && (
                      <tr className="evidence-row">
                        <td colSpan={7} id={`evidence-${receipt.id}`}>
                          <dl className="evidence">
                            <dt>Request</dt>
                            <dd><code>{receipt.method} {receipt.url}</code></dd>
                            <dt>Invoice</dt>
                            <dd><code>{receipt.evidence.invoice}</code></dd>
                            <dt>Payment hash</dt>
                            <dd><code>{receipt.evidence.paymentHash}</code></dd>
                            <dt>Proof of payment (preimage)</dt>
                            <dd><code>{receipt.evidence.preimageHex ?? 'none received'}</code></dd>
                            <dt>Macaroon id</dt>
                            <dd><code>{receipt.evidence.macaroonIdHex}</code></dd>
                            <dt>HTTP status</dt>
                            <dd>{receipt.evidence.httpStatus ?? '—'}</dd>
                            <dt>Response hash (SHA-256)</dt>
                            <dd><code>{receipt.evidence.responseSha256 ?? '—'}</code></dd>
                            <dt>Response size</dt>
                            <dd>{receipt.evidence.responseBytes === null ? '—' : `${receipt.evidence.responseBytes} bytes`}</dd>
                            {receipt.reasonDetail && (
                              <>
                                <dt>What was wrong</dt>
                                <dd data-testid="receipt-reason-detail">{receipt.reasonDetail}</dd>
                              </>
                            )}
                            <dt>Paid</dt>
                            <dd>{when(receipt.evidence.paidAtMs)}</dd>
                            <dt>Paid request sent</dt>
                            <dd>{when(receipt.evidence.deliveryRequestedAtMs)}</dd>
                            <dt>{receipt.outcome === 'delivered' ? 'Delivered' : 'Answered'}</dt>
                            <dd>{when(receipt.evidence.deliveredAtMs)}</dd>
                          </dl>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
