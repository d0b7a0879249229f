import { useQuery } from '@tanstack/react-query';
import { formatShareBps, reputationKey } from '../../../../shared/reputation';
import { useTRPC } from '../../lib/trpc';
import { CATEGORY_LABEL, sats, STATUS_LABEL } from './DisputeEvidence';
import { formatDay } from '../../lib/format-time';
import { plural } from '../services/ServiceReputation';

/**
 * Operators: the provider's record beside a dispute under review, so one complaint is weighed against
 * how the provider has served everyone lately: its services' 30-day figures and its latest disputes.
 */
export function ProviderHistory(props: { providerId: string; disputeId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.reputation.providerHistory.queryOptions({ providerId: props.providerId }));
  if (history.isPending) return <p className="muted">Loading the provider’s history…</p>;
  if (!history.data) return <p className="form-error">The provider’s history could not be loaded.</p>;
  const others = history.data.disputes.filter((d) => d.id !== props.disputeId);
  return (
    <details className="provider-history" data-testid="provider-history">
      <summary>
        <span title={props.providerId}>{history.data.providerName}</span>: last 30 days
        {history.data.paused.length > 0 && <span className="tag blocked-tag">paused</span>}
      </summary>
      {history.data.services.length === 0 ? (
        <p className="muted">No paid calls in the last 30 days.</p>
      ) : (
        <ul className="list">
          {history.data.services.map((r) => (
            // Kept per origin: a provider added by URL may have taken this provider's ids elsewhere.
            <li key={reputationKey(r)} data-testid="provider-history-service">
              <strong>{r.serviceId}</strong> <span className="muted">at {r.origin}</span>: {r.paidCalls} paid · {formatShareBps(r.nonDeliveryBps)} not delivered · {plural(r.disputesOpened, 'dispute', 'disputes')} · {plural(r.refunds, 'refund', 'refunds')} ({sats(r.refundedMsat)})
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{others.length === 0 ? 'No other disputes of this provider.' : 'Its latest other disputes:'}</p>
      {others.length > 0 && (
        <ul className="list">
          {others.map((d) => (
            <li key={d.id}>
              {formatDay(d.createdAtMs)} · {d.evidence.serviceId} · {CATEGORY_LABEL[d.category]} · {STATUS_LABEL[d.status]}
              {d.refundMsat > 0 ? ` · refunded ${sats(d.refundMsat)}` : ''}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
