/** Provider reputation (issue 12 item 8): what each provider's services did with people's money lately. */
import { msat } from '../../../shared/money';
import { REPUTATION_WINDOW_DAYS, reputationKey, type ServiceReputation } from '../../../shared/reputation';
import type { ReputationCounts, ReputationRepository } from '../../db/repositories/reputation-repository';

const DAY_MS = 86_400_000;

/** Basis points of a share, rounded half up; 0 of 0 is 0 (a service nobody paid has no record, not a bad one). */
export function shareBps(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(10_000, Math.floor((part * 20_000 + whole) / (whole * 2)));
}

export function toServiceReputation(counts: ReputationCounts): ServiceReputation {
  return {
    providerId: counts.providerId,
    serviceId: counts.serviceId,
    origin: counts.origin,
    paidCalls: counts.paidCalls,
    notDeliveredCalls: counts.notDeliveredCalls,
    nonDeliveryBps: shareBps(counts.notDeliveredCalls, counts.paidCalls),
    disputesOpened: counts.disputesOpened,
    refunds: counts.refunds,
    refundedMsat: msat(counts.refundedMsat),
  };
}

/** A record for each service asked about (by origin and id), in the order asked; a service with no history gets zeros. */
export function reputationOf(records: ServiceReputation[], services: ReputationSubject[]): ServiceReputation[] {
  const byService = new Map(records.map((r) => [reputationKey(r), r]));
  return services.map(
    (s) =>
      byService.get(reputationKey({ origin: s.origin, serviceId: s.id })) ??
      toServiceReputation({ providerId: s.providerId, serviceId: s.id, origin: s.origin, paidCalls: 0, notDeliveredCalls: 0, disputesOpened: 0, refunds: 0, refundedMsat: 0 }),
  );
}

/** A service as the catalog names it: its id, its provider's id and the origin it is called at. */
export interface ReputationSubject {
  id: string;
  providerId: string;
  origin: string;
}

export interface Reputation {
  /** Every provider and service with a paid call, dispute or refund in the last 30 days. */
  list(): ServiceReputation[];
  /** The records of these catalog services (across everyone's purchases), zeros for those without history. */
  forServices(services: ReputationSubject[]): ServiceReputation[];
}

export function createReputation(deps: { repo: ReputationRepository; now: () => number }): Reputation {
  const list = () => deps.repo.countsSince(deps.now() - REPUTATION_WINDOW_DAYS * DAY_MS).map(toServiceReputation);
  return { list, forServices: (services) => reputationOf(list(), services) };
}
