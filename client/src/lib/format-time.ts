// How moments are shown: one short form on every page, so a phone row never wraps a date into three
// lines and two pages never show the same moment two ways. The browser's locale and time zone decide
// the words and the order; only the parts shown are chosen here.

/** A moment as the API sends it: epoch milliseconds or an ISO string. */
export type Moment = number | string;

/** Whether two moments fall in the same calendar year where the browser is. */
const sameYear = (ms: Moment, now: number) => new Date(ms).getFullYear() === new Date(now).getFullYear();

/** "Dec 6, 6:55 PM" in lists and cards; the year is added when it is not this year ("Dec 6, 2025, 6:55 PM"). */
export function formatWhen(ms: Moment, now: number = Date.now()): string {
  return new Date(ms).toLocaleString([], {
    month: 'short',
    day: 'numeric',
    ...(sameYear(ms, now) ? {} : { year: 'numeric' }),
    hour: 'numeric',
    minute: '2-digit',
  });
}

/** "Dec 6" for a day; with the year when it is not this year ("Mar 6, 2027"). */
export function formatDay(ms: Moment, now: number = Date.now()): string {
  return new Date(ms).toLocaleDateString([], { month: 'short', day: 'numeric', ...(sameYear(ms, now) ? {} : { year: 'numeric' }) });
}

/** "6:55 PM": a time later today (how long a price is held). */
export function formatClock(ms: Moment): string {
  return new Date(ms).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

/** "Dec 6, 2026, 6:55:04 PM": the exact moment, to the second, for evidence kept about a payment. */
export function formatMoment(ms: Moment): string {
  return new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' });
}
