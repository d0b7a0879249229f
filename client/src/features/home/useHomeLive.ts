import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../../lib/trpc';
import { onStreamError } from '../auth/useSession';

/**
 * Keeps every figure on Home live: a task changing (a step paid, an approval asked for or answered) and
 * an alert (auto-approved spends, thresholds, top-ups arriving, refunds) refresh what they can change.
 */
export function useHomeLive() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => {
    for (const key of [trpc.home.pathKey(), trpc.wallet.summary.pathKey(), trpc.budget.status.pathKey(), trpc.approvals.pathKey(), trpc.tasks.list.pathKey(), trpc.alerts.pathKey()]) {
      void queryClient.invalidateQueries({ queryKey: key });
    }
  };
  useSubscription(trpc.tasks.onUpdate.subscriptionOptions({}, { onError: onStreamError, onData: refresh }));
  useSubscription(trpc.alerts.onAlert.subscriptionOptions(undefined, { onError: onStreamError, onData: refresh }));
}
