import { describe, expect, it } from 'vitest';
import { createPrng } from './prng';
import { randomSettings } from './settings';

describe('randomSettings', () => {
  it('always keeps the confirm tier at or above the auto tier', () => {
    const prng = createPrng(1);
    for (let i = 0; i < 200; i++) {
      const { tiers } = randomSettings(prng);
      expect(tiers.confirmMaxUsdCents).toBeGreaterThanOrEqual(tiers.autoMaxUsdCents);
    }
  });
});
