/**
 * Change notifications for tasks, keyed by user: the runner publishes after every write, the live
 * subscription listens. A subscriber that falls behind only needs the latest state, so an event
 * carries ids, never state: the listener re-reads the task. They travel on the live bus, so a task
 * run by another instance on the same database is heard here too.
 */
import { liveValues, type LiveBus } from '../../domain/ports/live-bus';

export interface TaskChanged {
  taskId: string;
}

export function createTaskEvents(bus: LiveBus) {
  return {
    publish(userId: string, taskId: string): void {
      bus.publish({ kind: 'task', userId, id: taskId });
    },
    /** Changes for this user until `signal` aborts. */
    changes(userId: string, signal: AbortSignal | undefined): AsyncGenerator<TaskChanged> {
      return liveValues(bus, 'task', userId, signal, (taskId): TaskChanged => ({ taskId }));
    },
  };
}

export type TaskEvents = ReturnType<typeof createTaskEvents>;
