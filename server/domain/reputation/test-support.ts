// Test helpers for provider standing.
import type { Db } from '../../db/client';
import { createStandingRepository } from '../../db/repositories/standing-repository';

/** Pauses a service for everyone directly, as the threshold would (tests of access, not of the threshold). */
export function pauseServiceDirectly(db: Db, service: { serviceId: string; providerId: string }): void {
  createStandingRepository(db).pause({ ...service, paidCalls: 10, nonDeliveryBps: 9_000, thresholdBps: 5_000, pausedAtMs: 0 });
}
