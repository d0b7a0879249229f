import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRateLimits } from '../domain/rate-limits/test-support';
import { createKeyRateLimit } from './rate-limit';

describe('per-key rate limit', () => {
  it('counts each key apart and opens again when the window ends', () => {
    let nowMs = 0;
    const { limits, handle } = openRateLimits(':memory:', () => nowMs);
    const limit = createKeyRateLimit(limits, { max: 2, windowMs: 1_000 });
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([true, true, false]);
    // Another key is not slowed by the first one's calls.
    expect(limit.take('b')).toBe(true);
    nowMs = 1_000;
    expect(limit.take('a')).toBe(true);
    handle.close();
  });

  it("limits one key's calls spread over two instances on one database as one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-mcp-limit-'));
    const instances = [openRateLimits(join(dir, 'app.db'), () => 0), openRateLimits(join(dir, 'app.db'), () => 0)];
    try {
      const [a, b] = instances.map(({ limits }) => createKeyRateLimit(limits, { max: 3, windowMs: 60_000 }));
      expect([a!.take('k'), b!.take('k'), a!.take('k'), b!.take('k'), a!.take('k')]).toEqual([true, true, true, false, false]);
    } finally {
      for (const { handle } of instances) handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
