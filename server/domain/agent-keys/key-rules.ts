/**
 * An agent key's limits as a narrowing of the person's own decision. Pure: callers read the key, what
 * it spent this month and the quote. The person's rules decide first (domain/governance); a key can
 * only turn that outcome into something stricter: deny it by name, or lift `auto` to `confirm` when
 * the key must always ask. Nothing here can make a decision looser than the person's.
 */
import type { AgentKeyDenyReason, PolicyDecision } from '../../../shared/governance';
import type { Msat } from '../../../shared/money';

export interface KeyLimits {
  monthlyCapMsat: Msat;
  perCallCapMsat: Msat;
  /** Service ids or origins; null: any service the person's catalog has. */
  allowed: readonly string[] | null;
  mayAutoSpend: boolean;
  expiresAtMs: number | null;
  revokedAtMs: number | null;
}

export interface KeySpend {
  /** Every service the spend pays (service id and origin). */
  services: readonly { serviceId: string; origin: string }[];
  /** The most the spend can take, fees included (a quote's total maximum). */
  maxMsat: Msat;
  spentThisMonthMsat: Msat;
  nowMs: number;
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

export function keyStatus(key: Pick<KeyLimits, 'revokedAtMs' | 'expiresAtMs'>, nowMs: number): KeyStatus {
  if (key.revokedAtMs !== null) return 'revoked';
  if (key.expiresAtMs !== null && nowMs >= key.expiresAtMs) return 'expired';
  return 'active';
}

export function serviceAllowed(key: Pick<KeyLimits, 'allowed'>, service: { serviceId: string; origin: string }): boolean {
  return key.allowed === null || key.allowed.includes(service.serviceId) || key.allowed.includes(service.origin);
}

/** Why the key may not have this spend at all, or null when its limits allow it. */
export function keyRefusal(key: KeyLimits, spend: KeySpend): AgentKeyDenyReason | null {
  const status = keyStatus(key, spend.nowMs);
  if (status === 'revoked') return 'key_revoked';
  if (status === 'expired') return 'key_expired';
  if (!spend.services.every((service) => serviceAllowed(key, service))) return 'key_service_not_allowed';
  if (spend.maxMsat > key.perCallCapMsat) return 'over_key_call_cap';
  if (spend.spentThisMonthMsat + spend.maxMsat > key.monthlyCapMsat) return 'over_key_monthly_cap';
  return null;
}

const WHY: Record<AgentKeyDenyReason, string> = {
  key_revoked: 'This agent key was revoked.',
  key_expired: 'This agent key has expired.',
  key_service_not_allowed: 'This agent key may not pay this service.',
  over_key_call_cap: "This costs more than the agent key's per-call cap.",
  over_key_monthly_cap: "This would take the agent key past its monthly cap.",
};

export function keyRefusalWhy(reason: AgentKeyDenyReason): string {
  return WHY[reason];
}

/** The person's decision, narrowed by the key (see the top of this file). */
export function narrowDecision(decision: PolicyDecision, key: KeyLimits, spend: KeySpend): PolicyDecision {
  if (decision.kind === 'deny') return decision;
  const refused = keyRefusal(key, spend);
  if (refused) return { kind: 'deny', reason: refused, why: keyRefusalWhy(refused) };
  if (decision.kind === 'auto' && !key.mayAutoSpend) {
    return { kind: 'confirm', why: `${decision.why.replace(/\.$/, '')}, but this agent key always asks you first.` };
  }
  return decision;
}
