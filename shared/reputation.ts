// Provider reputation as the API shows it (issue 12 item 8): per provider and service over a trailing window.
import { z } from 'zod';
import { msatSchema } from './money';

export const REPUTATION_WINDOW_DAYS = 30;

/**
 * A provider as a person reads it in a view: its name where Steward knows one, else its id
 * (server/domain/reputation/provider-names.ts). Views carry the id beside it.
 */
export const providerNameSchema = z.string().min(1).max(200);

export const serviceReputationSchema = z.object({
  providerId: z.string(),
  serviceId: z.string(),
  /** The provider's origin the calls went to: with the service id, what a record is kept by. */
  origin: z.string(),
  /** Purchases whose money moved (paid, or paid and then unusable) in the window. */
  paidCalls: z.number().int().nonnegative(),
  /** Of those, how many the delivery judge ruled paid_not_delivered. */
  notDeliveredCalls: z.number().int().nonnegative(),
  /** notDeliveredCalls / paidCalls in basis points (0..10000), rounded half up; 0 when nothing was paid. */
  nonDeliveryBps: z.number().int().min(0).max(10_000),
  disputesOpened: z.number().int().nonnegative(),
  refunds: z.number().int().nonnegative(),
  refundedMsat: msatSchema,
});
export type ServiceReputation = z.infer<typeof serviceReputationSchema>;

/**
 * What a reputation record is kept by: the provider's origin and the service id. A manifest added by URL
 * chooses its own provider and service ids, so an id alone could pool its calls with another provider's.
 */
export function reputationKey(service: { origin: string; serviceId: string }): string {
  return `${service.origin} ${service.serviceId}`;
}

/**
 * Auto-pause (issue 12 item 8): a service whose 30-day non-delivery rate passes `thresholdBps`, over at
 * least `minPaidCalls` paid calls (so one failure of a new service pauses nothing), is paused for
 * everyone until an operator resumes it. Operators change it in the console; these are the defaults.
 */
export const DEFAULT_PAUSE_POLICY = { thresholdBps: 5_000, minPaidCalls: 10 } as const;

export const pausePolicySchema = z.object({
  /** Paused when the non-delivery rate is above this share (basis points, 1..10000). */
  thresholdBps: z.number().int().min(1, { message: 'Use a threshold above 0%.' }).max(10_000, { message: 'Use a threshold of at most 100%.' }),
  minPaidCalls: z.number().int().min(1, { message: 'At least one paid call.' }).max(100_000),
});
export type PausePolicy = z.infer<typeof pausePolicySchema>;

/** Why a step is never quoted or paid for this person, whatever their budget says. */
export type StandingRefusal = 'provider_blocked' | 'service_paused';

export interface StandingCheck {
  /** Null when the person may use this provider's service. */
  refusalFor(userId: string, service: { providerId: string; serviceId: string }): StandingRefusal | null;
}

export const blockedProviderSchema = z.object({
  providerId: z.string(),
  providerName: z.string(),
  disputeId: z.string().nullable(),
  blockedAt: z.string(),
});
export type BlockedProvider = z.infer<typeof blockedProviderSchema>;

export const pausedServiceSchema = z.object({
  serviceId: z.string(),
  providerId: z.string(),
  paidCalls: z.number().int(),
  nonDeliveryBps: z.number().int(),
  thresholdBps: z.number().int(),
  pausedAt: z.string(),
});
export type PausedService = z.infer<typeof pausedServiceSchema>;

/** A share in basis points as a person reads it: 833 -> "8.3%", 5000 -> "50%" (one decimal at most, rounded half up). */
export function formatShareBps(bps: number): string {
  const tenths = Math.floor((bps + 5) / 10);
  return `${Math.floor(tenths / 10)}${tenths % 10 === 0 ? '' : `.${tenths % 10}`}%`;
}

/** The sentence a person reads when a step is refused for where its provider stands. */
export function standingWhy(reason: StandingRefusal, service: { serviceName: string; providerName: string }): string {
  return reason === 'provider_blocked'
    ? `You blocked ${service.providerName}, so ${service.serviceName} is not quoted or paid for you. Unblock it on the Services page to use it again.`
    : `${service.serviceName} (${service.providerName}) is paused for everyone: too many of its paid calls were not delivered lately. Nothing is quoted or paid for it until an operator resumes it.`;
}
