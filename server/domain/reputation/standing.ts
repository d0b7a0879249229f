/**
 * Where a provider stands (issue 12 item 8): a person's own blocklist, and services paused for everyone.
 *
 *   standing.refusalFor(userId, { providerId, serviceId }) -> 'provider_blocked' | 'service_paused' | null
 *
 * Quotes and spending ask it before a step is priced or paid (the planner leaves such services out too).
 * Blocking tightens the guard and takes one click; unblocking loosens it, so the API routes it through
 * governance's settings change (step-up), which calls `unblockProven` inside the transaction that uses
 * the proof. After each recorded non-delivery, `afterNonDelivery` pauses the service for everyone once
 * its 30-day non-delivery rate passes the operators' threshold over enough paid calls; only an operator
 * resumes it. Every change is audited; pauses and resumes are alerted to every operator.
 */
import { DEFAULT_PAUSE_POLICY, formatShareBps, type BlockedProvider, type PausedService, type PausePolicy, type ServiceReputation, type StandingRefusal } from '../../../shared/reputation';
import type { StandingRepository } from '../../db/repositories/standing-repository';
import type { ServicePauseRow } from '../../db/schema/standing';
import type { AuditLog } from '../accounts';
import type { AlertService } from '../alerts';
import type { Reputation } from './reputation';

export interface StandingDeps {
  repo: StandingRepository;
  reputation: Pick<Reputation, 'forServices'>;
  audit: Pick<AuditLog, 'record'>;
  alerts: Pick<AlertService, 'notify'>;
  operatorIds: () => string[];
  now: () => number;
}

export type Standing = ReturnType<typeof createStanding>;

/** Paused once enough calls were paid (one failure of a new service pauses nothing) and the rate passes the threshold. */
export function passesPauseThreshold(record: Pick<ServiceReputation, 'paidCalls' | 'nonDeliveryBps'>, policy: PausePolicy): boolean {
  return record.paidCalls >= policy.minPaidCalls && record.nonDeliveryBps > policy.thresholdBps;
}

export function toPausedService(row: ServicePauseRow): PausedService {
  return { serviceId: row.serviceId, providerId: row.providerId, paidCalls: row.paidCalls, nonDeliveryBps: row.nonDeliveryBps, thresholdBps: row.thresholdBps, pausedAt: new Date(row.pausedAtMs).toISOString() };
}

function tellOperators(deps: StandingDeps, title: string, body: string, serviceId: string, dedupeKey: string): void {
  for (const operatorId of deps.operatorIds()) {
    deps.alerts.notify(operatorId, { kind: 'service_standing', severity: 'warning', title, body, data: { serviceId }, dedupeKey });
  }
}

/** Pauses the service when its record passes the policy; true when this call paused it. */
function pauseIfPassing(deps: StandingDeps, record: ServiceReputation, policy: PausePolicy): boolean {
  if (!passesPauseThreshold(record, policy)) return false;
  const pausedAtMs = deps.now();
  const row = { serviceId: record.serviceId, providerId: record.providerId, paidCalls: record.paidCalls, nonDeliveryBps: record.nonDeliveryBps, thresholdBps: policy.thresholdBps, pausedAtMs };
  if (!deps.repo.pause(row)) return false;
  const rate = `${formatShareBps(record.nonDeliveryBps)} of ${record.paidCalls} paid calls`;
  for (const operatorId of deps.operatorIds()) deps.audit.record(operatorId, 'service_paused', { serviceId: record.serviceId, nonDeliveryBps: record.nonDeliveryBps, paidCalls: record.paidCalls, thresholdBps: policy.thresholdBps });
  tellOperators(deps, 'A service was paused', `${record.serviceId} was not delivered on ${rate} in 30 days (threshold ${formatShareBps(policy.thresholdBps)}). Nobody is quoted or charged for it until you resume it in the operator console.`, record.serviceId, `service_paused:${record.serviceId}:${pausedAtMs}`);
  return true;
}

export function createStanding(deps: StandingDeps) {
  const policy = (): PausePolicy => {
    const row = deps.repo.policy();
    return row ? { thresholdBps: row.thresholdBps, minPaidCalls: row.minPaidCalls } : { ...DEFAULT_PAUSE_POLICY };
  };

  return {
    refusalFor(userId: string, service: { providerId: string; serviceId: string }): StandingRefusal | null {
      if (deps.repo.isBlocked(userId, service.providerId)) return 'provider_blocked';
      return deps.repo.pauseOf(service.serviceId) ? 'service_paused' : null;
    },
    blocked(userId: string): BlockedProvider[] {
      return deps.repo.blockedBy(userId).map((row) => ({ providerId: row.providerId, providerName: row.providerName, disputeId: row.disputeId, blockedAt: new Date(row.blockedAtMs).toISOString() }));
    },
    /** One click; tightening needs no proof. Blocking twice is not an error: the first block stands. */
    block(userId: string, provider: { providerId: string; providerName: string; disputeId: string | null }): { ok: true; created: boolean } {
      const created = deps.repo.block({ userId, ...provider, blockedAtMs: deps.now() });
      if (created) deps.audit.record(userId, 'provider_blocked', { providerId: provider.providerId, disputeId: provider.disputeId });
      return { ok: true, created };
    },
    /** Only after the step-up proof was checked (governance's settings change calls it, in its transaction). */
    unblockProven(userId: string, providerId: string, proof: string): { ok: true } | { ok: false; reason: 'provider_not_blocked' } {
      if (!deps.repo.unblock(userId, providerId)) return { ok: false, reason: 'provider_not_blocked' };
      deps.audit.record(userId, 'provider_unblocked', { providerId, proof });
      return { ok: true };
    },
    isBlocked: (userId: string, providerId: string): boolean => deps.repo.isBlocked(userId, providerId),
    policy,
    setPolicy(operatorId: string, next: PausePolicy): PausePolicy {
      const before = policy();
      deps.repo.savePolicy({ ...next, updatedAtMs: deps.now(), updatedBy: operatorId });
      deps.audit.record(operatorId, 'pause_policy_changed', { beforeThresholdBps: before.thresholdBps, beforeMinPaidCalls: before.minPaidCalls, thresholdBps: next.thresholdBps, minPaidCalls: next.minPaidCalls });
      return policy();
    },
    paused: (): PausedService[] => deps.repo.paused().map(toPausedService),
    resume(operatorId: string, serviceId: string): { ok: true } | { ok: false; reason: 'service_not_paused' } {
      const lifted = deps.repo.resume(serviceId);
      if (!lifted) return { ok: false, reason: 'service_not_paused' };
      deps.audit.record(operatorId, 'service_resumed', { serviceId, nonDeliveryBps: lifted.nonDeliveryBps, paidCalls: lifted.paidCalls });
      tellOperators(deps, 'A service was resumed', `${serviceId} can be quoted and paid again.`, serviceId, `service_resumed:${serviceId}:${deps.now()}`);
      return { ok: true };
    },
    /** After a paid call was judged not delivered: pause its service if its record now passes the policy. */
    afterNonDelivery(service: { providerId: string; serviceId: string; origin: string }): { paused: boolean } {
      const [record] = deps.reputation.forServices([{ id: service.serviceId, providerId: service.providerId, origin: service.origin }]);
      return { paused: record ? pauseIfPassing(deps, record, policy()) : false };
    },
  };
}
