/**
 * Waiting on a task from a tool call: the runner publishes every change, so this listens (never
 * polls) until the task finishes or stops for an approval, or the time is up.
 */
import type { TaskView } from '../agent/tasks/task-runner';
import type { McpDeps } from './deps';

const FINISHED: readonly TaskView['status'][] = ['completed', 'failed', 'cancelled'];
const WAITING: readonly TaskView['status'][] = ['awaiting_approval', 'paused'];

export const isFinished = (task: TaskView) => FINISHED.includes(task.status);
export const isWaitingForApproval = (task: TaskView) => WAITING.includes(task.status) && task.approvalId !== null;

/** The task once `settled` holds for it, or as it is when `timeoutMs` runs out. */
export async function untilSettled(
  deps: Pick<McpDeps, 'tasks' | 'taskEvents'>,
  userId: string,
  taskId: string,
  timeoutMs: number,
  settled: (task: TaskView) => boolean = (t) => isFinished(t) || isWaitingForApproval(t),
): Promise<TaskView> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const read = () => {
    const task = deps.tasks.get(userId, taskId);
    if (!task) throw new Error(`task ${taskId} vanished`);
    return task;
  };
  try {
    // Subscribe first (the generator's first next() registers its listener), then read: a change
    // between the two is not lost.
    const changes = deps.taskEvents.changes(userId, controller.signal);
    let next = changes.next();
    const first = read();
    if (settled(first)) return first;
    for (let step = await next; !step.done; step = await next) {
      next = changes.next();
      if (step.value.taskId !== taskId) continue;
      const task = read();
      if (settled(task)) return task;
    }
    return read();
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
