/**
 * Per-key rate limit for MCP tool calls: a fixed window per key, in memory (the app is one process).
 * An agent in a loop should be slowed by its own key, never by other people's traffic.
 */
export interface KeyRateLimit {
  /** true when the call may go ahead (and is counted). */
  take(keyId: string): boolean;
}

export function createKeyRateLimit(options: { max: number; windowMs: number; now?: () => number }): KeyRateLimit {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { startsAtMs: number; count: number }>();
  return {
    take(keyId) {
      const at = now();
      const current = windows.get(keyId);
      if (!current || at - current.startsAtMs >= options.windowMs) {
        windows.set(keyId, { startsAtMs: at, count: 1 });
        return true;
      }
      if (current.count >= options.max) return false;
      current.count += 1;
      return true;
    },
  };
}
