import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormError } from '../../components/Field';
import { GuardProofDialog } from '../../components/GuardProofDialog';
import { apiProblem, problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { formatDay } from '../../lib/format-time';

/**
 * Providers the person blocked (from a dispute): never quoted or paid for them. Unblocking loosens the
 * guard, so the server asks for the code (or password) and the dialog collects it.
 */
export function BlockedProviders() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const blocked = useQuery(trpc.reputation.blocked.queryOptions());
  const [proofFor, setProofFor] = useState<{ providerId: string; providerName: string; proof: 'code' | 'password' } | null>(null);
  const unblock = useMutation(
    trpc.reputation.unblock.mutationOptions({
      onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: trpc.reputation.blocked.queryKey() }), queryClient.invalidateQueries({ queryKey: trpc.security.auditLog.pathKey() })]),
    }),
  );
  if (!blocked.data || blocked.data.length === 0) return null;

  function ask(providerId: string, providerName: string) {
    unblock.mutate(
      { providerId },
      {
        onError: (error) => {
          const reason = apiProblem(error)?.reason;
          if (reason === 'step_up_required' || reason === 'password_required') setProofFor({ providerId, providerName, proof: reason === 'step_up_required' ? 'code' : 'password' });
        },
      },
    );
  }

  return (
    <section className="card section" aria-labelledby="blocked-providers-title" data-testid="blocked-providers">
      <h2 id="blocked-providers-title">Blocked providers</h2>
      <p className="muted">Blocked from a dispute: nothing of theirs is quoted or paid for you, and the agent uses an equivalent service where there is one.</p>
      <ul className="list">
        {blocked.data.map((b) => (
          <li key={b.providerId} className="list-row" data-testid="blocked-provider">
            <span>
              <strong>{b.providerName}</strong> <span className="muted">since {formatDay(b.blockedAt)}</span>
            </span>
            <button className="button subtle" type="button" disabled={unblock.isPending} onClick={() => ask(b.providerId, b.providerName)}>
              Unblock
            </button>
          </li>
        ))}
      </ul>
      <FormError message={proofFor ? null : problemText(unblock.error)} />
      {proofFor && (
        <GuardProofDialog
          proof={proofFor.proof}
          reasons={[`Lifts your block on ${proofFor.providerName}: the agent may pay it again.`]}
          pending={unblock.isPending}
          error={unblock.error}
          onSubmit={(proof) => unblock.mutate({ providerId: proofFor.providerId, ...proof }, { onSuccess: () => setProofFor(null) })}
          onClose={() => {
            setProofFor(null);
            unblock.reset();
          }}
        />
      )}
    </section>
  );
}
