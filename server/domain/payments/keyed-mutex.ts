/**
 * Runs tasks one at a time per key, in arrival order; different keys run in parallel. Purchases use it
 * per (user, origin, service) so two parallel steps never both buy a token the first one would have
 * left in the vault for the second.
 *
 * A promise chain per key, dropped when its last task ends so idle keys cost nothing. (`async-lock`
 * does the same but would be a new dependency for twenty lines.) In-process only: the database's
 * UNIQUE payment hash is what stops a second process from paying the same invoice.
 */
export interface KeyedMutex {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with a task running or waiting; for tests and diagnostics. */
  readonly activeKeys: number;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      // The task runs after the previous one settles, whether it succeeded or failed.
      const result = previous.then(task, task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get activeKeys() {
      return tails.size;
    },
  };
}
