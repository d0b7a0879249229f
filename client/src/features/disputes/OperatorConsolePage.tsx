import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DisputeView } from '../../../../shared/disputes';
import { FormError } from '../../components/Field';
import '../../components/governance.css';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { ClaimsSection } from './ClaimsSection';
import { CATEGORY_LABEL, DisputeEvidence, sats, STATUS_LABEL } from './DisputeEvidence';
import { ProviderHistory } from './ProviderHistory';
import { ServicePauses } from './ServicePauses';
import './disputes.css';

/** Operators only: disputes waiting for a decision, with their evidence; refund all, part, or reject. */
export function OperatorConsolePage() {
  const trpc = useTRPC();
  const queue = useQuery({ ...trpc.disputes.queue.queryOptions(), refetchInterval: 5_000 });
  const problem = apiProblem(queue.error);
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Operator console</h1>
        <p className="page-summary">Disputes under review, oldest first. A refund is paid into the person&apos;s wallet exactly once: by the provider when it refunds, otherwise by the treasury.</p>
      </header>
      <FormError message={problem && describeProblem(problem)} />
      <div className="card section">
        <h2>Under review</h2>
        {queue.data && queue.data.underReview.length > 0 ? (
          <ul className="list" aria-label="Disputes under review">
            {queue.data.underReview.map((d) => (
              <ReviewItem key={d.id} dispute={d} />
            ))}
          </ul>
        ) : (
          <p className="muted" data-testid="queue-empty">
            {queue.isPending ? 'Loading…' : 'Nothing is waiting for review.'}
          </p>
        )}
      </div>
      {queue.data && queue.data.refunding.length > 0 && (
        <div className="card section">
          <h2>Refunds on their way</h2>
          <ul className="list">
            {queue.data.refunding.map((d) => (
              <li key={d.id}>
                {d.evidence.serviceId}: {sats(d.refundMsat)} ({STATUS_LABEL[d.status]})
              </li>
            ))}
          </ul>
        </div>
      )}
      <ServicePauses />
      <ClaimsSection />
    </section>
  );
}

function ReviewItem(props: { dispute: DisputeView }) {
  const d = props.dispute;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amountSat, setAmountSat] = useState('');
  const [note, setNote] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.disputes.queue.queryKey() });
  const refund = useMutation(trpc.disputes.refund.mutationOptions({ onSuccess: refresh }));
  const reject = useMutation(trpc.disputes.reject.mutationOptions({ onSuccess: refresh }));
  const problem = apiProblem(refund.error ?? reject.error);
  const busy = refund.isPending || reject.isPending;

  function refundPart(event: FormEvent) {
    event.preventDefault();
    refund.mutate({ disputeId: d.id, amountMsat: Math.round(Number(amountSat) * 1000), note });
  }

  return (
    <li className="dispute-item" data-testid="review-item">
      <div className="dispute-head">
        <strong>{d.evidence.serviceId}</strong>
        <span>
          {CATEGORY_LABEL[d.category]} · disputed {sats(d.disputedMsat)}
        </span>
      </div>
      {d.reason && <p>“{d.reason}”</p>}
      <DisputeEvidence dispute={d} />
      <ProviderHistory providerId={d.evidence.providerId} disputeId={d.id} />
      <form className="dispute-decision" onSubmit={refundPart}>
        <label htmlFor={`note-${d.id}`}>Note to the person</label>
        <input id={`note-${d.id}`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
        <label htmlFor={`amount-${d.id}`}>Partial refund (sats)</label>
        <input id={`amount-${d.id}`} inputMode="decimal" value={amountSat} onChange={(e) => setAmountSat(e.target.value)} />
        <span className="button-row">
          <button className="button" type="submit" disabled={busy || amountSat === ''}>
            Refund part
          </button>
          <button className="button" type="button" disabled={busy} onClick={() => refund.mutate({ disputeId: d.id, note })}>
            Refund all
          </button>
          <button className="button danger" type="button" disabled={busy || note.trim() === ''} onClick={() => reject.mutate({ disputeId: d.id, note })}>
            Reject
          </button>
        </span>
      </form>
      <FormError message={problem && describeProblem(problem)} />
    </li>
  );
}
