import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '../../lib/live';
import { useTRPC } from '../../lib/trpc';
import { onStreamError } from '../auth/useSession';

/**
 * Keeps every figure on Home live: a task changing (a step paid, an approval asked for or answered)
 * refreshes what it can change. Alerts (auto-approved spends, thresholds, top-ups arriving, refunds)
 * already refresh the same figures through the shell's one alerts stream (ToastHost): a second stream
 * here would take another of the browser's six connections to this host, shared by every tab.
 */
export function useHomeLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    for (const key of [trpc.home.pathKey(), trpc.wallet.summary.pathKey(), trpc.budget.status.pathKey(), trpc.approvals.pathKey(), trpc.tasks.list.pathKey(), trpc.alerts.pathKey()]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  };
  // Read again once the stream is up too: it tells only what changes after it connects.
  useSubscription(trpc.tasks.onUpdate.subscriptionOptions({}, { onError: onStreamError, onStarted: refresh, onData: refresh }));
}
