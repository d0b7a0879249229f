import { describe, expect, it } from 'vitest';
import { wholeSatTicks } from './SpendingCharts';

describe('the spending charts axis', () => {
  it('marks whole sats only, from zero past the largest bar, at most five steps', () => {
    expect(wholeSatTicks(0)).toEqual([0, 1000]);
    expect(wholeSatTicks(2_001)).toEqual([0, 1000, 2000, 3000]);
    expect(wholeSatTicks(9_700_000)).toEqual([0, 2_000_000, 4_000_000, 6_000_000, 8_000_000, 10_000_000]);
    for (const max of [1, 999, 4_500, 123_456, 77_777_777]) {
      const ticks = wholeSatTicks(max);
      expect(ticks.every((t) => t % 1000 === 0)).toBe(true);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeLessThanOrEqual(6);
    }
  });
});
