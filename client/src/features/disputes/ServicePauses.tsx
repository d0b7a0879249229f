import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { formatShareBps } from '../../../../shared/reputation';
import { FormError } from '../../components/Field';
import { problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { formatWhen } from '../../lib/format-time';

/**
 * Operators: auto-pause. A service whose 30-day non-delivery rate passes the threshold, over at least
 * the minimum number of paid calls, is paused for everyone until resumed here.
 */
export function ServicePauses() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pauses = useQuery({ ...trpc.reputation.pauses.queryOptions(), refetchInterval: 10_000 });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.reputation.pathKey() });
  const resume = useMutation(trpc.reputation.resume.mutationOptions({ onSuccess: refresh }));
  return (
    <div className="card section" data-testid="service-pauses">
      <h2>Auto-pause</h2>
      {/* Keyed by the saved policy, so the fields start again from what another operator saved. */}
      {pauses.data && <PausePolicyForm key={`${pauses.data.policy.thresholdBps}:${pauses.data.policy.minPaidCalls}`} policy={pauses.data.policy} onSaved={refresh} />}
      {pauses.data && pauses.data.paused.length > 0 ? (
        <ul className="list" aria-label="Paused services">
          {pauses.data.paused.map((p) => (
            <li key={p.serviceId} className="list-row" data-testid="paused-service">
              <span>
                <strong>{p.serviceId}</strong> paused {formatWhen(p.pausedAt)}: {formatShareBps(p.nonDeliveryBps)} of {p.paidCalls} paid calls not delivered
              </span>
              <button className="button" type="button" disabled={resume.isPending} onClick={() => resume.mutate({ serviceId: p.serviceId })}>
                Resume
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{pauses.isPending ? 'Loading…' : 'No service is paused.'}</p>
      )}
      <FormError message={problemText(resume.error ?? pauses.error)} />
    </div>
  );
}

function PausePolicyForm(props: { policy: { thresholdBps: number; minPaidCalls: number }; onSaved(): Promise<void> }) {
  const trpc = useTRPC();
  const [percent, setPercent] = useState(String(props.policy.thresholdBps / 100));
  const [minCalls, setMinCalls] = useState(String(props.policy.minPaidCalls));
  const save = useMutation(trpc.reputation.setPausePolicy.mutationOptions({ onSuccess: props.onSaved }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({ thresholdBps: Math.round(Number(percent) * 100), minPaidCalls: Math.round(Number(minCalls)) });
  }

  return (
    <form className="dispute-decision" onSubmit={submit}>
      <p className="muted">
        Now: paused above {formatShareBps(props.policy.thresholdBps)} not delivered, once a service has {props.policy.minPaidCalls} paid calls in 30 days (default: 50% after 10 calls).
      </p>
      <label htmlFor="pause-threshold">Pause above this share not delivered (%)</label>
      <input id="pause-threshold" inputMode="decimal" value={percent} onChange={(e) => setPercent(e.target.value)} />
      <label htmlFor="pause-min-calls">Only after this many paid calls</label>
      <input id="pause-min-calls" inputMode="numeric" value={minCalls} onChange={(e) => setMinCalls(e.target.value)} />
      <span className="button-row">
        <button className="button" type="submit" disabled={save.isPending}>
          Save threshold
        </button>
        {save.isSuccess && <span role="status">Saved.</span>}
      </span>
      <FormError message={problemText(save.error)} />
    </form>
  );
}
