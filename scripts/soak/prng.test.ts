import { describe, expect, it } from 'vitest';
import { createPrng } from './prng';

describe('createPrng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createPrng(seed).next);
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int() within its bounds, reaching both ends', () => {
    const prng = createPrng(7);
    const seen = new Set(Array.from({ length: 500 }, () => prng.int(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});
