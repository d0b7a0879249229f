import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createRateLimitsRepository } from '../../db/repositories/rate-limits-repository';
import { createRateLimits, type RateLimits } from './rate-limits';

/** One "instance" for tests: its own connection to the database at `path`, with the given clock. */
export function openRateLimits(path: string, now: () => number): { limits: RateLimits; handle: DatabaseHandle } {
  const handle = openDatabase(path);
  return { limits: createRateLimits({ repo: createRateLimitsRepository(handle.db), now }), handle };
}
