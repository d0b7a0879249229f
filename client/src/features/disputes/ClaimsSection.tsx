import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ProviderClaimItem, ProviderClaimReason } from '../../../../shared/provider-refunds';
import { FormError } from '../../components/Field';
import { apiProblem, describeProblem } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { DisputeEvidence, sats, serviceName, STATUS_LABEL } from './DisputeEvidence';
import { formatWhen } from '../../lib/format-time';

/** Why the provider did not refund, for the console and the person's security activity. */
export const CLAIM_REASON_LABEL: Record<ProviderClaimReason, string> = {
  no_endpoint: 'Publishes no refund endpoint',
  no_proof: 'No proof of payment to send',
  refused: 'Refused to refund',
  no_answer: 'Gave no valid answer in time',
  not_paid: 'Said refunded, did not pay',
};

/**
 * Operators only (the operator console): claims against providers that did not refund, where the
 * treasury paid the person in their place; each with its dispute's evidence, settled once the
 * provider has paid the operator back.
 */
export function ClaimsSection() {
  const trpc = useTRPC();
  const claims = useQuery({ ...trpc.claims.list.queryOptions(), refetchInterval: 10_000 });
  const problem = apiProblem(claims.error);
  const items = claims.data ?? [];
  const openMsat = items.filter((i) => i.claim.status === 'open').reduce((sum, i) => sum + i.claim.amountMsat, 0);
  return (
    <div className="card section" aria-labelledby="claims-title">
      <h2 id="claims-title">Claims against providers</h2>
      <p className="muted">
        When a provider does not refund a dispute itself, the treasury refunds the person and the amount is claimed from the provider.
        {items.length > 0 && ` Open: ${sats(openMsat)}.`}
      </p>
      <FormError message={problem && describeProblem(problem)} />
      {items.length > 0 ? (
        <ul className="list" aria-label="Claims against providers">
          {items.map((item) => (
            <ClaimItem key={item.claim.id} item={item} />
          ))}
        </ul>
      ) : (
        <p className="muted" data-testid="claims-empty">
          {claims.isPending ? 'Loading…' : 'No claims against providers.'}
        </p>
      )}
    </div>
  );
}

function ClaimItem(props: { item: ProviderClaimItem }) {
  const { claim, dispute } = props.item;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const settle = useMutation(trpc.claims.settle.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.claims.list.queryKey() }) }));
  const problem = apiProblem(settle.error);
  return (
    <li className="dispute-item" data-testid="claim-item">
      <div className="dispute-head">
        <strong>
          <span title={claim.providerId}>{claim.providerName}</span> · {serviceName(claim.providerId, claim.serviceId)}
        </strong>
        <span className={`dispute-status${claim.status === 'settled' ? ' refunded' : ''}`}>{claim.status === 'open' ? 'Open' : 'Settled'}</span>
      </div>
      <span>
        {sats(claim.amountMsat)} · {CLAIM_REASON_LABEL[claim.reason]}
        {claim.detail && ` (${claim.detail})`} · {formatWhen(claim.createdAtMs)}
      </span>
      {dispute && (
        <details id={`claim-dispute-${dispute.id}`}>
          <summary>
            Dispute {dispute.id.slice(0, 8)} · {STATUS_LABEL[dispute.status]}
          </summary>
          <DisputeEvidence dispute={dispute} />
        </details>
      )}
      {claim.status === 'settled' ? (
        claim.note && <p className="muted">Settled: {claim.note}</p>
      ) : (
        <form
          className="dispute-decision"
          onSubmit={(event) => {
            event.preventDefault();
            settle.mutate({ claimId: claim.id, note });
          }}
        >
          <label htmlFor={`claim-note-${claim.id}`}>Note</label>
          <input id={`claim-note-${claim.id}`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} />
          <span className="button-row">
            <button className="button" type="submit" disabled={settle.isPending}>
              Mark paid back
            </button>
          </span>
        </form>
      )}
      <FormError message={problem && describeProblem(problem)} />
    </li>
  );
}
