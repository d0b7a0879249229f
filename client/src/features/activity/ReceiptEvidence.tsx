import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';
import { formatMoment } from '../../lib/format-time';

export type ActivityReceipt = inferRouterOutputs<AppRouter>['activity']['list'][number];

const when = (ms: number | null) => (ms === null ? '—' : formatMoment(ms));

/** A receipt's evidence: what was asked for, the invoice and its proof, and what came back. */
export function ReceiptEvidence(props: { receipt: ActivityReceipt }) {
  const { receipt } = props;
  return (
    <dl className="evidence">
      <dt>Request</dt>
      <dd>
        <code>
          {receipt.method} {receipt.url}
        </code>
      </dd>
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
  );
}
