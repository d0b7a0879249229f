import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/api/router';
import { formatSats, msat } from '../../../../shared/money';
import { formatShareBps } from '../../../../shared/reputation';

export type ReputationRecord = inferRouterOutputs<AppRouter>['catalog']['reputation']['services'][number];

/** "1 dispute", "2 disputes": a count with its noun in the right number. */
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "Last 30 days: 12 paid calls · 8.3% not delivered · 2 disputes · 1 refund (2 sats)", over everyone's purchases. */
export function reputationText(r: ReputationRecord): string {
  if (r.paidCalls === 0 && r.disputesOpened === 0) return 'Last 30 days: no paid calls yet';
  const parts = [
    plural(r.paidCalls, 'paid call', 'paid calls'),
    `${formatShareBps(r.nonDeliveryBps)} not delivered`,
    plural(r.disputesOpened, 'dispute', 'disputes'),
    `${plural(r.refunds, 'refund', 'refunds')}${r.refunds > 0 ? ` (${formatSats(msat(r.refundedMsat))})` : ''}`,
  ];
  return `Last 30 days: ${parts.join(' · ')}`;
}

/** The quote card's line, shorter: "30 days: 12 paid · 8.3% not delivered · 2 disputes". */
export function compactReputationText(r: ReputationRecord): string {
  if (r.paidCalls === 0 && r.disputesOpened === 0) return '30 days: no paid calls yet';
  return `30 days: ${r.paidCalls} paid · ${formatShareBps(r.nonDeliveryBps)} not delivered · ${plural(r.disputesOpened, 'dispute', 'disputes')}`;
}

/** A quoted step's line on the chat card, before anything runs. */
export function QuoteReputation({ record }: { record: ReputationRecord | undefined }) {
  if (!record) return null;
  return (
    <span className="chat-step-reason muted" data-testid="step-reputation" title="Counted over every Steward person's purchases from this service">
      {compactReputationText(record)}
    </span>
  );
}

export function ServiceReputation({ record }: { record: ReputationRecord | undefined }) {
  if (!record) return null;
  return (
    <p className="service-reputation muted" data-testid="service-reputation" title="Counted over every Steward person's purchases from this service">
      {reputationText(record)}
    </p>
  );
}
