/**
 * The shape of every money job that moves sats on the treasury's behalf (top-up funding, dispute
 * refunds): one attempt at a time per item, every attempt tracked so shutdown and tests can wait for
 * them, and a background pass that runs at once (work a crash left behind) and then every interval,
 * one pass after another, never overlapping.
 *
 * One attempt at a time per item holds across instances: an attempt takes the item's lease (the job
 * named by the caller) and is `leased_elsewhere` while another live instance holds it; inside one
 * process a keyed mutex queues a webhook's attempt behind the loop's, so the second runs after the
 * first instead of being turned away. The attempt gets the lease to confirm right before it pays.
 */
import { createPeriodicJob, type HeldLease, type LeaseJob, type Leases } from '../background';
import { createKeyedMutex } from './keyed-mutex';

const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;

/** When a treasury job that failed `attempts` times tries again: doubling from 5 s, at most 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.min(attempts, 16), RETRY_MAX_MS);
}

export interface RetryLoop<T> {
  /** One attempt for this item, after any attempt already running for it in this process. */
  attempt(id: string): Promise<T | 'leased_elsewhere'>;
  /** Runs `pass` now and every `intervalMs`; `stop()` waits for the pass and the attempts in flight. */
  start(intervalMs: number, pass: () => Promise<void>, onError: (error: unknown) => void): { stop(): Promise<void> };
  /** Resolves when no attempt is in flight (tests). */
  idle(): Promise<void>;
}

export function createRetryLoop<T>(job: LeaseJob, leases: Pick<Leases, 'withLease'>, advance: (id: string, held: HeldLease) => Promise<T>): RetryLoop<T> {
  const inFlight = new Set<Promise<unknown>>();
  const mutex = createKeyedMutex();
  return {
    attempt(id) {
      const run = mutex.run(id, async () => {
        const leased = await leases.withLease(job, id, (held) => advance(id, held));
        return leased.ran ? leased.value : leased.reason;
      });
      inFlight.add(run);
      void run.catch(() => undefined).finally(() => inFlight.delete(run));
      return run;
    },
    start(intervalMs, pass, onError) {
      // A tick while a pass runs queues one pass after it: items that fell due meanwhile are not left a whole interval.
      const running = createPeriodicJob(pass, 'serialise').start(intervalMs, onError);
      return {
        async stop() {
          await running.stop();
          await Promise.allSettled([...inFlight]);
        },
      };
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
