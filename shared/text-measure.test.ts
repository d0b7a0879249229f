import { describe, expect, it } from 'vitest';
import { measureText } from './text-measure';

describe('measureText', () => {
  it('counts words the larger way, so a quote covers both whitespace and letter-run counters', () => {
    expect(measureText('Fees rose sharply.')).toEqual({ chars: 18, words: 3 });
    // "fee-rate" and "1.5" are one word to a whitespace counter and two to a letter-run counter.
    expect(measureText('a fee-rate of 1.5 sats')).toEqual({ chars: 22, words: 7 });
    // A dash alone is a word only to a whitespace counter.
    expect(measureText('yes — no')).toEqual({ chars: 8, words: 3 });
    expect(measureText('')).toEqual({ chars: 0, words: 0 });
  });
});
