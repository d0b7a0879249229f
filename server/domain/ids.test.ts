import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids';

describe('timeOrderedId', () => {
  it('is a version 7 UUID whose text order follows the clock, unique within one millisecond', () => {
    const earlier = timeOrderedId(Date.parse('2026-03-10T12:00:00.000Z'));
    const later = timeOrderedId(Date.parse('2026-03-10T12:00:00.001Z'));
    expect(earlier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(earlier < later).toBe(true);
    const sameMs = new Set(Array.from({ length: 1_000 }, () => timeOrderedId(0)));
    expect(sameMs.size).toBe(1_000);
  });
});
