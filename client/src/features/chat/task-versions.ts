// A task reaches the chat two ways that race: live events (tasks.onUpdate) and fetches of the history
// (tasks.list, refetched after approving, cancelling or refocusing). A fetch answered after a newer live
// event would put the older view back, and with no event left to come the card stayed "running" after
// the task had completed. A task's version only grows, so the newer view always wins, whichever came last.
import type { TaskView } from './types';

type Versioned = Pick<TaskView, 'id' | 'version'>;

/** One task's live view put into the history (in place, or at the top), unless the history holds a newer one. */
export function withLiveTask<T extends Versioned>(history: T[] | undefined, task: T): T[] {
  const list = history ?? [];
  const index = list.findIndex((t) => t.id === task.id);
  if (index === -1) return [task, ...list];
  if ((list[index]?.version ?? 0) > task.version) return list;
  return list.map((t) => (t.id === task.id ? task : t));
}

/** The history as fetched, keeping any task the cache already holds at a newer version. */
export function keepNewerTasks<T extends Versioned>(cached: readonly T[] | undefined, fetched: T[]): T[] {
  if (!cached || cached.length === 0) return fetched;
  const newer = new Map(cached.map((task) => [task.id, task]));
  return fetched.map((task) => {
    const held = newer.get(task.id);
    return held !== undefined && held.version > task.version ? held : task;
  });
}
