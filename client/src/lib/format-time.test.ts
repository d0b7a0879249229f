import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatClock, formatDay, formatMoment, formatWhen } from './format-time';

// Pinned to one zone, so a moment falls on the same day and year on every machine.
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const at = (iso: string) => Date.parse(iso);
const now = at('2026-12-06T19:00:00Z');

describe('format-time', () => {
  it('shows a moment of this year without the year and without seconds', () => {
    const text = formatWhen(at('2026-12-06T18:55:04Z'), now);
    expect(text).toContain('Dec');
    expect(text).toContain('6');
    expect(text).not.toContain('2026');
    expect(text).not.toContain(':04');
  });
  it('adds the year to a moment of another year, so last December never reads as this one', () => {
    expect(formatWhen(at('2025-12-06T18:55:04Z'), now)).toContain('2025');
    expect(formatDay(at('2027-03-06T12:00:00Z'), now)).toContain('2027');
    expect(formatDay(at('2026-03-06T12:00:00Z'), now)).not.toContain('2026');
  });
  it('keeps the seconds and the year for evidence, and only the time for a clock', () => {
    const moment = formatMoment(at('2026-12-06T18:55:04Z'));
    expect(moment).toContain('2026');
    expect(moment).toContain(':04');
    expect(formatClock(at('2026-12-06T18:55:04Z'))).not.toContain('Dec');
  });
});
