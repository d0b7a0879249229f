import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormError } from '../../components/Field';
import { problemText } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';
import { signedOut } from '../auth/useSession';
import { formatWhen } from '../../lib/format-time';

export function SessionsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.security.sessions.queryOptions());
  const revoke = useMutation(
    trpc.security.revokeSession.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.security.pathKey() }) }),
  );
  const everywhere = useMutation(
    trpc.security.signOutEverywhere.mutationOptions({ onSuccess: signedOut }),
  );
  return (
    <section className="card section" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      <FormError message={problemText(revoke.error ?? everywhere.error)} />
      <ul className="list" data-testid="sessions">
        {sessions.data?.map((session) => (
          <li key={session.id} className="list-row">
            <div>
              <strong>{describeAgent(session.userAgent)}</strong>
              {session.current && <span className="tag">This device</span>}
              <p className="muted">
                {session.ip ?? 'unknown address'} · last active {formatWhen(session.lastSeenAt)}
              </p>
            </div>
            {!session.current && (
              <button className="button" onClick={() => revoke.mutate({ sessionId: session.id })}>
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      <button className="button danger" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
        Sign out everywhere
      </button>
    </section>
  );
}

function describeAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[1];
  const system = /(Windows|Mac OS X|Android|iPhone|Linux)/.exec(userAgent)?.[1];
  return [browser === 'Edg' ? 'Edge' : browser, system && `on ${system}`].filter(Boolean).join(' ') || userAgent.slice(0, 40);
}
