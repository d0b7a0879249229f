// Budget periods: the calendar month as the person lives it, in their own time zone. A period is the
// half-open interval [startsAt, endsAt): it starts at the first instant whose local date is the 1st of
// the month and ends where the next month starts. Built on Intl (the runtime's IANA database), so DST
// and odd offsets (UTC+14, UTC-12, +05:45) need no special cases and no time zone library.

export interface BudgetPeriod {
  /** 'YYYY-MM' of the local month; the key budget history and fired alerts are stored under. */
  periodKey: string;
  startsAt: Date;
  /** Exclusive: the instant the next period starts. */
  endsAt: Date;
}

/** A time zone the runtime does not know. Settings validate zones, so reaching this is a bug upstream. */
export class InvalidTimeZoneError extends Error {
  override readonly name = 'InvalidTimeZoneError';
  constructor(readonly timeZone: string) {
    super(`unknown time zone: ${JSON.stringify(timeZone)}`);
  }
}

const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23', // midnight as 00, never 24
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidTimeZoneError(timeZone);
    throw error;
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

/**
 * The local wall-clock time at an instant, written as if it were UTC milliseconds: comparing two of
 * these compares wall clocks. Intl gives whole seconds; the millisecond part is the instant's own,
 * since no zone offset has a fraction of a second.
 */
function wallClockMs(instantMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = fields;
  if (
    year === undefined || month === undefined || day === undefined ||
    hour === undefined || minute === undefined || second === undefined
  ) {
    throw new Error(`Intl returned incomplete date parts for ${timeZone}`);
  }
  const millis = ((instantMs % 1000) + 1000) % 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/**
 * The first instant whose local wall clock reads `targetWallMs` or later. Usually local midnight
 * exists once; when clocks fall back across it, the earlier of its two instants; when clocks spring
 * forward over it (zones that change at 00:00), the instant of the jump.
 */
function firstInstantAtOrAfter(targetWallMs: number, timeZone: string): number {
  // The offset before and after any transition near the target; transitions are months apart.
  const offsets = [
    wallClockMs(targetWallMs - 36 * HOUR_MS, timeZone) - (targetWallMs - 36 * HOUR_MS),
    wallClockMs(targetWallMs + 36 * HOUR_MS, timeZone) - (targetWallMs + 36 * HOUR_MS),
  ];
  const candidates = offsets.map((offset) => targetWallMs - offset).sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClockMs(instant, timeZone) === targetWallMs);
  if (exact !== undefined) return exact;
  // The target wall time was skipped: binary search the jump between the two candidates.
  let low = candidates[0] ?? targetWallMs; // wall clock before the target
  let high = candidates[1] ?? targetWallMs; // wall clock after the target
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClockMs(middle, timeZone) >= targetWallMs) high = middle;
    else low = middle;
  }
  return high;
}

function periodOfMonth(year: number, month: number, timeZone: string): BudgetPeriod {
  const startsAtMs = firstInstantAtOrAfter(Date.UTC(year, month - 1, 1), timeZone);
  const endsAtMs = firstInstantAtOrAfter(Date.UTC(year, month, 1), timeZone); // Date.UTC rolls 12 -> next year
  return {
    periodKey: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    startsAt: new Date(startsAtMs),
    endsAt: new Date(endsAtMs),
  };
}

// The last period computed per zone: every spend asks for the current month, and the Intl work
// (about ten formatToParts calls) would otherwise dominate a budget check. Bounded by the number of
// zones the runtime knows, since unknown ones throw before anything is cached.
const lastPeriodByZone = new Map<string, BudgetPeriod>();

/** The budget period containing `now` for someone living in `timeZone`. */
export function periodFor(now: Date, timeZone: string): BudgetPeriod {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new Error('periodFor needs a valid date');
  const cached = lastPeriodByZone.get(timeZone);
  if (cached && cached.startsAt.getTime() <= nowMs && nowMs < cached.endsAt.getTime()) {
    return { periodKey: cached.periodKey, startsAt: new Date(cached.startsAt), endsAt: new Date(cached.endsAt) };
  }
  const wall = new Date(wallClockMs(nowMs, timeZone));
  const period = periodOfMonth(wall.getUTCFullYear(), wall.getUTCMonth() + 1, timeZone);
  if (!(period.startsAt.getTime() <= nowMs && nowMs < period.endsAt.getTime())) {
    throw new Error(`period ${period.periodKey} in ${timeZone} does not contain ${now.toISOString()}`);
  }
  lastPeriodByZone.set(timeZone, { ...period, startsAt: new Date(period.startsAt), endsAt: new Date(period.endsAt) });
  return period;
}

const PERIOD_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriodKey(value: string): boolean {
  return PERIOD_KEY.test(value);
}

/** The period a stored key names, e.g. to show history; a malformed key is a bug in the caller. */
export function periodForKey(periodKey: string, timeZone: string): BudgetPeriod {
  const match = PERIOD_KEY.exec(periodKey);
  if (!match) throw new Error(`not a period key: ${JSON.stringify(periodKey)}`);
  return periodOfMonth(Number(match[1]), Number(match[2]), timeZone);
}

/** The period just before the given one ('2026-01' -> '2025-12'). */
export function previousPeriodKey(periodKey: string): string {
  const match = PERIOD_KEY.exec(periodKey);
  if (!match) throw new Error(`not a period key: ${JSON.stringify(periodKey)}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  return month === 1 ? `${String(year - 1).padStart(4, '0')}-12` : `${match[1]}-${String(month - 1).padStart(2, '0')}`;
}
