/**
 * The Activity list as CSV (RFC 4180, CRLF), in the Wallet export's conventions (domain/wallet/
 * movements-csv.ts): exact sats with three decimals, formula-looking text made inert. One row per
 * payment, with its dispute and refund beside it, as the page shows them: the provider by name, and
 * by id for matching it across exports.
 */
import { csvText, satsText } from '../wallet/movements-csv';
import type { ActivityRow } from './activity';

const HEADER = [
  'date_utc',
  'service',
  'provider',
  'provider_id',
  'outcome',
  'amount_sat',
  'fee_sat',
  'usd_with_fee',
  'dispute_status',
  'refund_sat',
  'refund_decided_by',
  'refund_paid_by',
  'reason',
  'agent',
  'payment_hash',
  'id',
];

const usdText = (cents: number | null) => (cents === null ? '' : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);

export function activityCsv(rows: readonly ActivityRow[]): string {
  const lines = rows.map((row) =>
    [
      new Date(row.createdAtMs).toISOString(),
      csvText(row.service),
      csvText(row.providerName),
      csvText(row.providerId),
      row.outcome,
      satsText(row.amountMsat),
      row.feeMsat === null ? '' : satsText(row.feeMsat),
      usdText(row.totalUsdCents),
      row.dispute?.status ?? '',
      row.dispute && row.dispute.refundMsat > 0 ? satsText(row.dispute.refundMsat) : '',
      row.dispute?.refundDecidedBy ?? '',
      row.dispute?.refundPaidBy ?? '',
      csvText(row.reason),
      csvText(row.agentName),
      row.evidence.paymentHash,
      row.id,
    ].join(','),
  );
  return [HEADER.join(','), ...lines].join('\r\n') + '\r\n';
}
