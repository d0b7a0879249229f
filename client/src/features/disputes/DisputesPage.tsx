import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '../../lib/live';
import '../../components/governance.css';
import { useTRPC } from '../../lib/trpc';
import { onStreamError } from '../auth/useSession';
import { BlockProvider } from './BlockProvider';
import { CATEGORY_LABEL, DisputeEvidence, disputeReasonText, sats, serviceName, STATUS_LABEL } from './DisputeEvidence';
import './disputes.css';
import { formatWhen } from '../../lib/format-time';

/** The person's disputes, newest first: status, what was refunded, every transition and the evidence. */
export function DisputesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const disputes = useQuery(trpc.disputes.list.queryOptions());
  // Live: each change of one of the person's disputes (opened, decided, refunded) refreshes the list,
  // and the budget and wallet figures a refund moves.
  // Read again once the stream is up as well: it tells only what changes after it connects.
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.disputes.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.budget.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.wallet.pathKey() });
  };
  useSubscription(trpc.disputes.onChange.subscriptionOptions(undefined, { onError: onStreamError, onStarted: refresh, onData: refresh }));

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Disputes</h1>
        <p className="page-summary">Purchases you disputed, or that Steward refunded because they were paid and not delivered.</p>
      </header>
      <div className="card section">
        {disputes.isPending ? (
          <p className="loading">Loading disputes…</p>
        ) : disputes.data && disputes.data.length > 0 ? (
          <ul className="list" aria-label="Disputes" data-testid="dispute-list">
            {disputes.data.map((d) => (
              <li key={d.id} className="dispute-item" data-testid="dispute-item" data-status={d.status}>
                <div className="dispute-head">
                  {/* Named as the chat card and Activity name it: the service, then its provider. */}
                  <strong data-testid="dispute-service">
                    {serviceName(d.evidence.providerId, d.evidence.serviceId)} <span className="muted">· {d.providerName}</span>
                  </strong>
                  <span className={`dispute-status ${d.status}`} data-testid="dispute-status">
                    {STATUS_LABEL[d.status]}
                  </span>
                </div>
                <p>
                  {CATEGORY_LABEL[d.category]} · {d.openedBy === 'automatic' ? 'opened by Steward' : d.openedBy === 'agent' ? 'opened by an agent key' : 'opened by you'} · disputed {sats(d.disputedMsat)}
                  {d.refundMsat > 0 && (
                    <>
                      {' '}
                      · <span data-testid="dispute-refund">refund {sats(d.refundMsat)}</span>
                    </>
                  )}
                </p>
                {d.reason && <p className="muted" data-testid="dispute-reason">{d.openedBy === 'automatic' ? disputeReasonText(d, d.reason) : `“${d.reason}”`}</p>}
                {d.operatorNote && <p data-testid="dispute-note">Operator: {d.operatorNote}</p>}
                <ol className="dispute-transitions">
                  {d.transitions.map((t, i) => (
                    <li key={i}>
                      {formatWhen(t.atMs)}: {STATUS_LABEL[t.status]}
                      {t.note ? ` (${disputeReasonText(d, t.note)})` : ''}
                    </li>
                  ))}
                </ol>
                <DisputeEvidence dispute={d} />
                <BlockProvider target={{ disputeId: d.id }} providerId={d.evidence.providerId} providerName={d.providerName} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted" data-testid="no-disputes">
            No disputes. Dispute a result from its card in Chat; a purchase paid and not delivered is refunded automatically (after an operator's review when you added its provider yourself).
          </p>
        )}
      </div>
    </section>
  );
}
