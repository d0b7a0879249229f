/**
 * The shape of every money job that moves sats on the treasury's behalf (top-up funding, dispute
 * refunds): one attempt at a time per item (keyed, so a webhook and the loop never run the same item
 * at once), every attempt tracked so shutdown and tests can wait for them, and a background pass that
 * runs at once (work a crash left behind) and then every interval, one pass after another, never
 * overlapping.
 */
import { createKeyedMutex } from './keyed-mutex';

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

/** When a treasury job that failed `attempts` times tries again: doubling from 5 s, at most 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.min(attempts, 16), RETRY_MAX_MS);
}

export interface RetryLoop<T> {
  /** One attempt for this item, after any attempt already running for it. */
  attempt(id: string): Promise<T>;
  /** Runs `pass` now and every `intervalMs`; `stop()` waits for the pass and the attempts in flight. */
  start(intervalMs: number, pass: () => Promise<void>, onError: (error: unknown) => void): { stop(): Promise<void> };
  /** Resolves when no attempt is in flight (tests). */
  idle(): Promise<void>;
}

export function createRetryLoop<T>(advance: (id: string) => Promise<T>): RetryLoop<T> {
  const inFlight = new Set<Promise<unknown>>();
  const mutex = createKeyedMutex();
  return {
    attempt(id) {
      const run = mutex.run(id, () => advance(id));
      inFlight.add(run);
      void run.catch(() => undefined).finally(() => inFlight.delete(run));
      return run;
    },
    start(intervalMs, pass, onError) {
      let running: Promise<void> = Promise.resolve();
      const tick = () => {
        running = running.then(pass).catch(onError);
      };
      tick();
      const timer = setInterval(tick, intervalMs);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running;
          await Promise.allSettled([...inFlight]);
        },
      };
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
