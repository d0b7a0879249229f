/**
 * In-process change notifications for tasks, keyed by user: the runner publishes after every write,
 * the live subscription listens. A subscriber that falls behind only needs the latest state, so an
 * event carries ids, never state: the listener re-reads the task.
 */
import { EventEmitter, on } from 'node:events';

export interface TaskChanged {
  taskId: string;
}

export function createTaskEvents() {
  const emitter = new EventEmitter();
  // One listener per open browser tab; the default limit of 10 is too small for a busy server.
  emitter.setMaxListeners(0);
  return {
    publish(userId: string, taskId: string): void {
      emitter.emit(`user:${userId}`, { taskId } satisfies TaskChanged);
    },
    /** Changes for this user until `signal` aborts. */
    async *changes(userId: string, signal: AbortSignal | undefined): AsyncGenerator<TaskChanged> {
      try {
        for await (const [event] of on(emitter, `user:${userId}`, signal ? { signal } : {})) yield event as TaskChanged;
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
    },
  };
}

export type TaskEvents = ReturnType<typeof createTaskEvents>;
