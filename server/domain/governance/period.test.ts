import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTimeZoneError, periodFor, periodForKey, previousPeriodKey } from './period';

const iso = (date: Date) => date.toISOString();

function expectPeriod(now: string, timeZone: string, periodKey: string, startsAt: string, endsAt: string) {
  const period = periodFor(new Date(now), timeZone);
  expect({ periodKey: period.periodKey, startsAt: iso(period.startsAt), endsAt: iso(period.endsAt) }).toEqual({
    periodKey,
    startsAt,
    endsAt,
  });
}

describe('periodFor at month ends', () => {
  it('UTC: the last millisecond of January is January; the next is February', () => {
    expectPeriod('2026-01-31T23:59:59.999Z', 'UTC', '2026-01', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
    expectPeriod('2026-02-01T00:00:00.000Z', 'UTC', '2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z');
  });

  it('Pacific/Auckland (UTC+13 in summer) reaches February eleven hours before UTC does', () => {
    // Jan 31 23:59:59.999 in Auckland is still January there.
    expectPeriod('2026-01-31T10:59:59.999Z', 'Pacific/Auckland', '2026-01', '2025-12-31T11:00:00.000Z', '2026-01-31T11:00:00.000Z');
    // One millisecond later it is February in Auckland but still January in UTC.
    expectPeriod('2026-01-31T11:00:00.000Z', 'Pacific/Auckland', '2026-02', '2026-01-31T11:00:00.000Z', '2026-02-28T11:00:00.000Z');
    expect(periodFor(new Date('2026-01-31T11:00:00.000Z'), 'UTC').periodKey).toBe('2026-01');
  });

  it('the year rolls over with December', () => {
    expectPeriod('2026-12-31T23:59:59.999Z', 'UTC', '2026-12', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  });
});

describe('periodFor across DST', () => {
  it('America/New_York March (spring forward on the 8th) is one hour short', () => {
    const period = periodFor(new Date('2026-03-15T12:00:00Z'), 'America/New_York');
    expect(iso(period.startsAt)).toBe('2026-03-01T05:00:00.000Z'); // midnight EST
    expect(iso(period.endsAt)).toBe('2026-04-01T04:00:00.000Z'); // midnight EDT
    expect(period.endsAt.getTime() - period.startsAt.getTime()).toBe((31 * 24 - 1) * 3_600_000);
  });

  it('America/New_York November (fall back on the 1st at 02:00) is one hour long', () => {
    expectPeriod('2026-11-01T04:00:00.000Z', 'America/New_York', '2026-11', '2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z');
    expectPeriod('2026-11-01T03:59:59.999Z', 'America/New_York', '2026-10', '2026-10-01T04:00:00.000Z', '2026-11-01T04:00:00.000Z');
    const period = periodFor(new Date('2026-11-20T00:00:00Z'), 'America/New_York');
    expect(period.endsAt.getTime() - period.startsAt.getTime()).toBe((30 * 24 + 1) * 3_600_000);
  });

  it('Europe/London: April starts at 23:00 UTC on March 31 (BST)', () => {
    expectPeriod('2026-03-31T22:59:59.999Z', 'Europe/London', '2026-03', '2026-03-01T00:00:00.000Z', '2026-03-31T23:00:00.000Z');
    expectPeriod('2026-03-31T23:00:00.000Z', 'Europe/London', '2026-04', '2026-03-31T23:00:00.000Z', '2026-04-30T23:00:00.000Z');
    expectPeriod('2026-10-31T23:59:59.999Z', 'Europe/London', '2026-10', '2026-09-30T23:00:00.000Z', '2026-11-01T00:00:00.000Z');
  });

  it('a month whose local midnight was skipped starts at the jump (Casablanca, June 2008)', () => {
    // Clocks went from 23:59:59 on May 31 straight to 01:00 on June 1.
    expectPeriod('2008-06-01T00:00:00.000Z', 'Africa/Casablanca', '2008-06', '2008-06-01T00:00:00.000Z', '2008-06-30T23:00:00.000Z');
    expectPeriod('2008-05-31T23:59:59.999Z', 'Africa/Casablanca', '2008-05', '2008-05-01T00:00:00.000Z', '2008-06-01T00:00:00.000Z');
  });
});

describe('periodFor in unusual zones and years', () => {
  it('leap year: February 29 is February, and February has 29 days', () => {
    expectPeriod('2024-02-29T23:59:59.999Z', 'UTC', '2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z');
    const nonLeap = periodFor(new Date('2025-02-10T00:00:00Z'), 'UTC');
    expect(nonLeap.endsAt.getTime() - nonLeap.startsAt.getTime()).toBe(28 * 86_400_000);
  });

  it('UTC+14 (Pacific/Kiritimati) starts the new year at 10:00 UTC on Dec 31', () => {
    expectPeriod('2025-12-31T10:00:00.000Z', 'Pacific/Kiritimati', '2026-01', '2025-12-31T10:00:00.000Z', '2026-01-31T10:00:00.000Z');
    expectPeriod('2025-12-31T09:59:59.999Z', 'Pacific/Kiritimati', '2025-12', '2025-11-30T10:00:00.000Z', '2025-12-31T10:00:00.000Z');
  });

  it('UTC-12 (Etc/GMT+12) is still in December at 11:59 UTC on Jan 1', () => {
    expectPeriod('2026-01-01T11:59:59.999Z', 'Etc/GMT+12', '2025-12', '2025-12-01T12:00:00.000Z', '2026-01-01T12:00:00.000Z');
    expectPeriod('2026-01-01T12:00:00.000Z', 'Etc/GMT+12', '2026-01', '2026-01-01T12:00:00.000Z', '2026-02-01T12:00:00.000Z');
  });

  it('an unknown time zone is a named error', () => {
    expect(() => periodFor(new Date(), 'Mars/Olympus_Mons')).toThrow(InvalidTimeZoneError);
    expect(() => periodFor(new Date(), '')).toThrow(InvalidTimeZoneError);
  });

  it('an invalid date is refused', () => {
    expect(() => periodFor(new Date(Number.NaN), 'UTC')).toThrow(/valid date/);
  });
});

describe('period keys', () => {
  it('periodForKey gives the same period as periodFor, and previousPeriodKey steps back across years', () => {
    expect(periodForKey('2026-03', 'America/New_York')).toEqual(periodFor(new Date('2026-03-15T12:00:00Z'), 'America/New_York'));
    expect(previousPeriodKey('2026-01')).toBe('2025-12');
    expect(previousPeriodKey('2026-10')).toBe('2026-09');
    expect(() => periodForKey('2026-13', 'UTC')).toThrow(/period key/);
    expect(() => previousPeriodKey('26-01')).toThrow(/period key/);
  });
});

describe('periodFor properties', () => {
  const zones = ['UTC', 'Pacific/Auckland', 'America/New_York', 'Europe/London', 'Asia/Kathmandu',
    'Pacific/Kiritimati', 'Etc/GMT+12', 'Australia/Lord_Howe', 'America/Santiago', 'Africa/Casablanca'];
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

  it('contains now, tiles time without gaps, and starts on the local 1st', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (nowMs, timeZone) => {
        const period = periodFor(new Date(nowMs), timeZone);
        expect(period.startsAt.getTime()).toBeLessThanOrEqual(nowMs);
        expect(period.endsAt.getTime()).toBeGreaterThan(nowMs);
        // The millisecond before the start is the previous month; the end is the next month's start.
        const before = periodFor(new Date(period.startsAt.getTime() - 1), timeZone);
        expect(before.periodKey).toBe(previousPeriodKey(period.periodKey));
        expect(before.endsAt.getTime()).toBe(period.startsAt.getTime());
        expect(periodFor(period.endsAt, timeZone).startsAt.getTime()).toBe(period.endsAt.getTime());
        const localDay = new Intl.DateTimeFormat('en-US', { timeZone, day: 'numeric' }).format(period.startsAt);
        expect(localDay).toBe('1');
      }),
      { numRuns: 300 },
    );
  });
});
