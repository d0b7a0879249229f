/**
 * The one shape of every periodic background job (the reconciler, wallet sync, the catalog's refresh,
 * the funding and refund retry loops): a pass now, or after the first interval, then one every
 * interval, and `stop()` that clears the timer and waits for the pass in progress. What a tick (or a
 * `run()` call) does while a pass is still running is chosen explicitly, per job:
 *
 *   'coalesce'   it shares the running pass and gets its result. For passes that re-read all their
 *                work: a second pass right after would find the same (reconciler, wallet sync, catalog).
 *   'serialise'  one more pass runs after the running one (at most one waits, however many ticks
 *                came). For passes that take a batch of due items: work that became due while the pass
 *                ran is picked up at once, and passes never overlap (funding and refund retries).
 */
export type Overlap = 'coalesce' | 'serialise';

export interface PeriodicRun {
  /** Clears the timer and waits for the pass in progress (and the one waiting behind it). */
  stop(): Promise<void>;
}

export interface PeriodicJob<T> {
  /** One pass, by the job's overlap rule. */
  run(): Promise<T>;
  /** Runs a pass at `firstPass` (default now) and then every `intervalMs`; errors go to `onError`. */
  start(intervalMs: number, onError: (error: unknown) => void, options?: { firstPass?: 'now' | 'after_interval' }): PeriodicRun;
}

export function createPeriodicJob<T>(pass: () => Promise<T>, overlap: Overlap): PeriodicJob<T> {
  let running: Promise<T> | null = null;
  let waiting: Promise<T> | null = null;

  function begin(): Promise<T> {
    const current: Promise<T> = pass().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  }

  function run(): Promise<T> {
    if (!running) return begin();
    if (overlap === 'coalesce') return running;
    waiting ??= running
      .catch(() => undefined)
      .then(() => {
        waiting = null;
        return begin();
      });
    return waiting;
  }

  function start(intervalMs: number, onError: (error: unknown) => void, options: { firstPass?: 'now' | 'after_interval' } = {}): PeriodicRun {
    const tick = () => void run().catch(onError);
    if ((options.firstPass ?? 'now') === 'now') tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await (waiting ?? running)?.catch(() => undefined);
      },
    };
  }

  return { run, start };
}
