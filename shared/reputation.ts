// Provider reputation as the API shows it (issue 12 item 8): per provider and service over a trailing window.
import { z } from 'zod';
import { msatSchema } from './money';

export const REPUTATION_WINDOW_DAYS = 30;

export const serviceReputationSchema = z.object({
  providerId: z.string(),
  serviceId: z.string(),
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
