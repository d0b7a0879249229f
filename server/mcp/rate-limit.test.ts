import { describe, expect, it } from 'vitest';
import { createKeyRateLimit } from './rate-limit';

describe('per-key rate limit', () => {
  it("counts each key apart and opens again when the window ends", () => {
    let nowMs = 0;
    const limit = createKeyRateLimit({ max: 2, windowMs: 1_000, now: () => nowMs });
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([true, true, false]);
    // Another key is not slowed by the first one's calls.
    expect(limit.take('b')).toBe(true);
    nowMs = 1_000;
    expect(limit.take('a')).toBe(true);
  });
});
