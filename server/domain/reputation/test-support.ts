// Test helpers for provider standing.
import type { Db } from '../../db/client';
import { createReputationRepository } from '../../db/repositories/reputation-repository';
import { createStandingRepository } from '../../db/repositories/standing-repository';
import { createProviderNames, type ProviderNames } from './provider-names';

/** Pauses a service for everyone directly, as the threshold would (tests of access, not of the threshold). */
export function pauseServiceDirectly(db: Db, service: { serviceId: string; providerId: string }): void {
  createStandingRepository(db).pause({ ...service, paidCalls: 10, nonDeliveryBps: 9_000, thresholdBps: 5_000, pausedAtMs: 0 });
}

/** Provider names from a fixed catalog and the real steps that paid (tests of views that name providers). */
export function providerNamesOver(db: Db, catalog: Record<string, string> = {}): ProviderNames {
  return createProviderNames({ catalogNames: () => new Map(Object.entries(catalog)), stepName: createReputationRepository(db).stepProviderName });
}
