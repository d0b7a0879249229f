import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): the wall clock's milliseconds, then 74 random bits. For rows written on a
 * decision's path (a payment, its reservation's idempotency key, a task and its usage row): ids that
 * grow with time are written at the right edge of their indexes, where random (v4) ids dirtied a
 * random page of each on every write, and every dirtied page is written to the WAL at commit. The
 * clock only orders ids: uniqueness is the random part.
 */
export function timeOrderedId(wallClockMs: number): string {
  // randomUUID's bits (drawn from a pooled buffer: cheaper than randomBytes per call) with the
  // first 48 replaced by the clock and the version nibble set to 7; its variant bits already fit.
  const random = randomUUID();
  const time = wallClockMs.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
