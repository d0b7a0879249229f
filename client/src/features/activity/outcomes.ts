import type { ReceiptOutcome, RefundDecider } from '../../../../shared/activity';
import type { RefundSource } from '../../../../shared/provider-refunds';
import { formatSats, msat } from '../../../../shared/money';

/** What each receipt outcome means to the person, and how it looks. */
export const OUTCOMES: Record<ReceiptOutcome, { label: string; tone: 'good' | 'warn' | 'muted' | 'bad' }> = {
  delivered: { label: 'Delivered', tone: 'good' },
  paid: { label: 'Paid', tone: 'good' },
  pending: { label: 'Confirming payment', tone: 'warn' },
  failed: { label: 'Not paid', tone: 'muted' },
  paid_not_delivered: { label: 'Paid, not delivered', tone: 'bad' },
  paid_unusable: { label: 'Paid, no proof from wallet', tone: 'bad' },
};

const DECIDERS: Record<RefundDecider, string> = {
  automatic: 'automatically by Steward',
  operator: 'by an operator after review',
};

/** A payment's dispute in a few words, beside the payment (the Disputes page has the rest). */
export function disputeText(dispute: { status: string; refundMsat: number; refundDecidedBy: RefundDecider | null; refundPaidBy: RefundSource | null }): string {
  const decided = dispute.refundDecidedBy ? ` ${DECIDERS[dispute.refundDecidedBy]}` : '';
  const source = `${decided}${dispute.refundPaidBy === 'provider' ? ', paid by the provider' : ''}`;
  if (dispute.status === 'refunded') return `Refunded ${formatSats(msat(dispute.refundMsat))}${source}`;
  if (dispute.status === 'refunding') return `Refund of ${formatSats(msat(dispute.refundMsat))} on its way${source}`;
  if (dispute.status === 'rejected') return 'Dispute rejected';
  return 'Disputed: under review';
}

/** Outcomes that took the person's money, so a dispute can be opened on them. */
export const DISPUTABLE: ReadonlySet<ReceiptOutcome> = new Set(['delivered', 'paid', 'paid_not_delivered', 'paid_unusable']);
