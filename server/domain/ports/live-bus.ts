/**
 * Live updates: "something of kind K changed for person X (id)", told to everyone in this process who
 * listens for that person and kind (the browser's live streams, the task runner waiting on an
 * approval). An event carries ids, never state: a listener reads what it needs as it is now, so an
 * event raised on another Steward instance is as good as one raised here, and a listener that falls
 * behind only needs the latest state.
 *
 * Implementations: `createLocalLiveBus` below (one process: SQLite's single server), and
 * server/rails/live/pg-live-bus.ts (several instances on one PostgreSQL database, over LISTEN/NOTIFY),
 * which delivers an event raised here through the local bus and one raised elsewhere once it arrives.
 * Either way each listener hears each event exactly once.
 */
import { z } from 'zod';

export const LIVE_KINDS = ['task', 'approval', 'alert', 'dispute', 'top_up', 'session', 'agent_key'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

/** Bounds keep a batch of events well inside one NOTIFY payload and reject junk from the wire. */
export const liveEventSchema = z.object({
  kind: z.enum(LIVE_KINDS),
  userId: z.string().min(1).max(100),
  id: z.string().min(1).max(200),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;

export type LiveListener = (id: string) => void;

export interface LiveBus {
  /**
   * Tells this process's listeners for the event's person and kind before returning (as an
   * EventEmitter does), and every other instance's soon after. Never throws.
   */
  publish(event: LiveEvent): void;
  /** Calls `listener` with the id of each event of this kind for this person, until the returned function is called. */
  subscribe(kind: LiveKind, userId: string, listener: LiveListener): () => void;
  /** Resolves once events from other instances can arrive (at once in one process; after a lost connection, once it is back). */
  listening(): Promise<void>;
  /** Stops talking to other instances (a no-op in one process). */
  close(): Promise<void>;
}

/**
 * The in-process bus. A listener that throws (a closed connection) is reported to `onListenerError`
 * and does not stop the others, nor the publisher, whose write has already happened.
 */
export function createLocalLiveBus(options: { onListenerError?: (error: unknown, event: LiveEvent) => void } = {}): LiveBus {
  const listeners = new Map<string, Set<LiveListener>>();
  const keyOf = (kind: LiveKind, userId: string) => `${kind}:${userId}`;
  return {
    publish(event) {
      // A copy: a listener that unsubscribes (or subscribes) while being told changes the next event only.
      for (const listener of [...(listeners.get(keyOf(event.kind, event.userId)) ?? [])]) {
        try {
          listener(event.id);
        } catch (error) {
          options.onListenerError?.(error, event);
        }
      }
    },
    subscribe(kind, userId, listener) {
      const key = keyOf(kind, userId);
      const set = listeners.get(key) ?? new Set<LiveListener>();
      // A wrapper per subscription, so one function subscribed twice is told twice and stopped once each.
      const entry: LiveListener = (id) => listener(id);
      set.add(entry);
      listeners.set(key, set);
      return () => {
        set.delete(entry);
        if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
      };
    },
    listening: async () => undefined,
    close: async () => undefined,
  };
}

/**
 * The values `read` finds for each event of this kind and person, in order, until `signal` aborts
 * (the live streams). `read` runs when the event is told, so a value is the state of that moment
 * (what an in-process emitter carried); a value it cannot find (null) is skipped. Buffered: events
 * told while the consumer is busy are yielded in order, none dropped.
 */
export async function* liveValues<T>(
  bus: LiveBus,
  kind: LiveKind,
  userId: string,
  signal: AbortSignal | undefined,
  read: (id: string) => T | null,
): AsyncGenerator<T> {
  if (signal?.aborted) return;
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  const stop = bus.subscribe(kind, userId, (id) => {
    const value = read(id);
    if (value === null) return;
    queue.push(value);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      if (queue.length > 0) {
        yield queue.shift() as T;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    stop();
    signal?.removeEventListener('abort', onAbort);
  }
}
