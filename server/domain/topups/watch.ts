/** Live views of one top-up for the return page: the row now, then every change, until aborted. */
import type { TopUpView } from '../../../shared/topups';
import type { TopUpsRepository } from '../../db/repositories/topups-repository';
import type { TopUpRow } from '../../db/schema/topups';
import { toTopUpView } from './views';

/** Listeners per top-up id, told by the engine's `changed`. In-process: the app runs as one server process. */
export type TopUpWatchers = Map<string, Set<(row: TopUpRow) => void>>;

export async function* watchTopUp(
  repo: TopUpsRepository,
  watchers: TopUpWatchers,
  userId: string,
  topUpId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<TopUpView> {
  const first = repo.forUser(userId, topUpId);
  if (!first || signal?.aborted) return;
  const queue: TopUpRow[] = [first];
  let wake: (() => void) | null = null;
  const listener = (row: TopUpRow) => {
    queue.push(row);
    wake?.();
  };
  const set = watchers.get(topUpId) ?? new Set();
  set.add(listener);
  watchers.set(topUpId, set);
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
    set.delete(listener);
    if (set.size === 0) watchers.delete(topUpId);
  }
}
