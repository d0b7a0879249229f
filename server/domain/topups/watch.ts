/** Live views of one top-up for the return page: the row now, then every change, until aborted. */
import type { TopUpView } from '../../../shared/topups';
import type { TopUpsRepository } from '../../db/repositories/topups-repository';
import type { TopUpRow } from '../../db/schema/topups';
import type { LiveBus } from '../ports/live-bus';
import { toTopUpView } from './views';

/**
 * Changes arrive as ids on the live bus (told by the engine's `changed`, here or on another instance
 * whose webhook or funding loop moved the top-up); each is read as it is at that moment.
 */
export async function* watchTopUp(
  repo: TopUpsRepository,
  bus: LiveBus,
  userId: string,
  topUpId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<TopUpView> {
  const first = repo.forUser(userId, topUpId);
  if (!first || signal?.aborted) return;
  const queue: TopUpRow[] = [first];
  let wake: (() => void) | null = null;
  const stop = bus.subscribe('top_up', userId, (id) => {
    const row = id === topUpId ? repo.forUser(userId, topUpId) : undefined;
    if (!row) return;
    queue.push(row);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next) yield toTopUpView(next);
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop();
  }
}
