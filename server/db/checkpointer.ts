// Background checkpoints for the app's SQLite file. In WAL mode a commit appends its pages to the WAL;
// a checkpoint copies them into the database file and fsyncs it. Left to SQLite, the commit that takes
// the WAL past `wal_autocheckpoint` pages does that copy itself, on the event loop's thread: pages
// copied and fsynced while every request in flight waits (bench/governance.bench.ts). Here a worker
// thread with its own connection checkpoints on the machine's other core instead: a few times a
// second while the WAL is still, every few milliseconds while commits keep arriving, so the writer's
// commits only append. Under a steady stream of commits the WAL still reaches the writer's ceiling
// now and then (SQLite starts it over only once every frame in it is copied, and new ones keep
// arriving); the writer's own checkpoint then finds only the last few milliseconds of frames left to
// copy, but still fsyncs, which is why openSqlite sets that ceiling high. More frequent checkpoints
// also fsync sooner, which shortens what a power loss could take back (see openSqlite). The writer's
// own autocheckpoint stays as the ceiling should the worker fall behind or stop.
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints while the WAL is still. */
export const CHECKPOINT_INTERVAL_MS = 250;
/**
 * How often while commits keep arriving: often enough that the WAL is copied as fast as it grows and
 * the writer's own autocheckpoint, when it comes, finds almost nothing left to copy.
 */
export const BUSY_CHECKPOINT_INTERVAL_MS = 10;

export interface Checkpointer {
  /** Runs a last checkpoint and ends the worker; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  busyIntervalMs?: number;
  /** The worker failed and ended: the writer's own autocheckpoint takes over, so this only reports it. */
  onError: (error: Error) => void;
}

/** Starts checkpointing the SQLite file at `path` (already opened and migrated by openSqlite). */
export function startCheckpointer(path: string, options: CheckpointerOptions): Checkpointer {
  const intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  const busyIntervalMs = options.busyIntervalMs ?? Math.min(intervalMs, BUSY_CHECKPOINT_INTERVAL_MS);
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { path, intervalMs, busyIntervalMs } });
  // The app's own handles decide when the process ends, not this worker.
  worker.unref();
  worker.on('error', options.onError);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      // Referenced again while it finishes: otherwise a process with nothing else left to do would exit
      // (code 13, a top-level await never settled) before the worker's exit could resolve this.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
