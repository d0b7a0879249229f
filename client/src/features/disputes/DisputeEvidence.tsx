import type { DisputeView } from '../../../../shared/disputes';
import { formatSats, msat } from '../../../../shared/money';
import { formatMoment } from '../../lib/format-time';
import { purchaseReasonText } from '../../../../shared/purchase-reasons';

export const STATUS_LABEL: Record<DisputeView['status'], string> = {
  open: 'Open',
  under_review: 'Under review',
  refunding: 'Refund on its way',
  refunded: 'Refunded',
  rejected: 'Rejected',
};

export const CATEGORY_LABEL: Record<DisputeView['category'], string> = {
  not_delivered: 'Not delivered',
  wrong_or_low_quality: 'Wrong or low quality',
  overcharged: 'Overcharged',
  charged_twice: 'Charged twice',
};

export const sats = (value: number) => formatSats(msat(value));

/** Catalog service ids are `<provider>/<service>`: the provider is already named beside it. */
export const serviceName = (providerId: string, serviceId: string) => (serviceId.startsWith(`${providerId}/`) ? serviceId.slice(providerId.length + 1) : serviceId);

/**
 * A dispute's reason (or a transition's note), as a person reads it: their own words as written; when
 * Steward opened it, the delivery failure's code (`server_error`) in words (shared/purchase-reasons.ts).
 */
export const disputeReasonText = (dispute: Pick<DisputeView, 'openedBy' | 'reason'>, text: string) =>
  dispute.openedBy === 'automatic' && text === dispute.reason ? purchaseReasonText(text) : text;

/** The purchase's evidence, as the person and the operator see it. */
export function DisputeEvidence(props: { dispute: DisputeView }) {
  const e = props.dispute.evidence;
  const provider = props.dispute.providerName;
  const rows: [string, string][] = [
    ['Service', `${e.serviceId} (${provider})`],
    ['Paid', `${sats(e.amountMsat)} + ${sats(e.feeMsat)} fee${e.approvedMaxMsat === null ? '' : ` (approved up to ${sats(e.approvedMaxMsat)})`}`],
    ['Answer', `${e.httpStatus === null ? 'no answer' : `HTTP ${e.httpStatus}`}${e.responseBytes === null ? '' : `, ${e.responseBytes} bytes`}`],
    ['Delivery', [e.delivery.replaceAll('_', ' '), e.deliveryReason?.replaceAll('_', ' '), e.deliveryDetail].filter(Boolean).join(' · ')],
    ['Payment hash', e.paymentHash],
    ['Preimage', e.preimageHex ?? 'none'],
    ['Macaroon id', e.macaroonIdHex],
    ['Response SHA-256', e.responseSha256 ?? 'none'],
    ['Paid at', e.paidAtMs === null ? '—' : formatMoment(e.paidAtMs)],
    ['Published output schema', e.outputSchemaJson ?? 'none published'],
    ['Invoice', e.invoice],
    ...(props.dispute.refundSource ? [['Refunded by', props.dispute.refundSource === 'provider' ? `the provider (${provider})` : 'the treasury'] as [string, string]] : []),
  ];
  return (
    <details className="dispute-evidence">
      <summary>Evidence</summary>
      <dl>
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
