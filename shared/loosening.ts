// Does a settings change loosen the guard? One pure answer, used by the server to demand a fresh proof
// (server/domain/governance/settings-change.ts) and by the Budget and Services pages to ask for it only
// when it is needed and to say why. Loosening is anything that lets more money out, or lets it out
// with less asking or less telling about each payment; everything else (including tightening) needs no
// proof. Budget-threshold alerts are not part of the guard: they remind the person of a monthly limit
// that is itself guarded, and neither let money out nor hide a payment, so changing them is free.
import {
  TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS,
  type GovernanceSettings,
  type MoneyLimit,
  type ServiceRule,
  type ServiceRuleKind,
} from './governance';
import { formatSats, formatUsd } from './money';

export type LooseningKind =
  | 'monthly_limit_raised'
  | 'monthly_limit_removed'
  | 'task_cap_raised'
  | 'task_cap_removed'
  | 'auto_limit_raised'
  | 'confirm_limit_raised'
  | 'auto_notifications_off'
  | 'service_rule_loosened'
  | 'service_cap_raised'
  | 'service_cap_removed'
  | 'time_zone_changed';

/** One way a change loosens the guard, with the sentence the confirmation dialog shows. */
export interface Loosening {
  kind: LooseningKind;
  why: string;
}

/** What saving a change takes, beyond the signed-in session. */
export type ProofNeeded =
  | { kind: 'none' }
  | { kind: 'code'; loosenings: Loosening[] }
  | { kind: 'password'; loosenings: Loosening[] }
  /** Without 2FA a tier may not be raised above TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS, whatever the proof. */
  | { kind: 'two_factor_for_tier'; loosenings: Loosening[] };

export function proofNeeded(before: GovernanceSettings, after: GovernanceSettings, twoFactorOn: boolean): ProofNeeded {
  const loosenings = looseningsOf(before, after);
  if (loosenings.length === 0) return { kind: 'none' };
  if (twoFactorOn) return { kind: 'code', loosenings };
  return raisesTierPastTwoFactor(before, after) ? { kind: 'two_factor_for_tier', loosenings } : { kind: 'password', loosenings };
}

/** What changing the person's time zone takes (see timeZoneLoosenings); the display currency is free. */
export function timeZoneProofNeeded(before: string, after: string, twoFactorOn: boolean): Exclude<ProofNeeded, { kind: 'two_factor_for_tier' }> {
  const loosenings = timeZoneLoosenings(before, after);
  if (loosenings.length === 0) return { kind: 'none' };
  return { kind: twoFactorOn ? 'code' : 'password', loosenings };
}

/**
 * Every change of time zone loosens the guard, whichever way it moves. The budget month is the
 * calendar month in the person's zone (server/domain/governance/period.ts), and spending counts in
 * the month window it was made in. A zone further east ends the month earlier, so a fresh monthly
 * budget opens up to a day early; a zone further west starts the month later, so spending made at the
 * start of the old window drops out of the current one; zig-zagging between the two near a month's
 * end could open two or three budgets in a day. Telling the harmless changes apart (the same offsets
 * all year, or a move that neither starts a new window nor drops spending from it) would need the
 * clock, the stored usage and each zone's future rules, and a mistake is a silent hole; people change
 * zones rarely (a move, a long trip), so asking every time costs little. Only an unchanged zone is free.
 */
export function timeZoneLoosenings(before: string, after: string): Loosening[] {
  if (before === after) return [];
  return [{ kind: 'time_zone_changed', why: `Moves when your budget month starts and ends, from ${before} time to ${after} time.` }];
}

/** Every way `after` is looser than `before`; empty when the change only tightens or changes nothing. */
export function looseningsOf(before: GovernanceSettings, after: GovernanceSettings): Loosening[] {
  return [
    ...limitLoosening('monthly_limit', 'your monthly limit', before.monthlyLimit, after.monthlyLimit),
    ...limitLoosening('task_cap', 'your per-task cap', before.taskCap, after.taskCap),
    ...tierLoosenings(before, after),
    ...serviceRuleLoosenings(before.serviceRules, after.serviceRules),
  ];
}

/** A tier raised above what may be set without 2FA (keeping one set earlier, with 2FA, is allowed). */
export function raisesTierPastTwoFactor(before: GovernanceSettings, after: GovernanceSettings): boolean {
  const raisedPast = (from: number, to: number) => to > from && to > TIER_MAX_WITHOUT_TWO_FACTOR_USD_CENTS;
  return (
    raisedPast(before.tiers.autoMaxUsdCents, after.tiers.autoMaxUsdCents) ||
    raisedPast(before.tiers.confirmMaxUsdCents, after.tiers.confirmMaxUsdCents)
  );
}

/** A limit as the person chose it: "$20.00", "50,000 sats" or "no limit". */
export function describeLimit(limit: MoneyLimit | null): string {
  if (limit === null) return 'no limit';
  return limit.unit === 'usd' ? formatUsd(limit.usdCents) : formatSats(limit.msat);
}

/**
 * Removing a limit loosens; so does raising it. A change of unit counts as loosening too: dollars and
 * sats cannot be compared without a rate, and the rate moves, so a limit in the other unit may allow
 * more next week even if it allows less today.
 */
function limitLoosening(
  prefix: 'monthly_limit' | 'task_cap' | 'service_cap',
  what: string,
  before: MoneyLimit | null,
  after: MoneyLimit | null,
): Loosening[] {
  if (before === null) return [];
  if (after === null) return [{ kind: `${prefix}_removed`, why: `Removes ${what} (${describeLimit(before)}).` }];
  if (!limitRaised(before, after)) return [];
  return [{ kind: `${prefix}_raised`, why: `Raises ${what} from ${describeLimit(before)} to ${describeLimit(after)}.` }];
}

function limitRaised(before: MoneyLimit, after: MoneyLimit): boolean {
  if (before.unit === 'usd') return after.unit !== 'usd' || after.usdCents > before.usdCents;
  return after.unit !== 'sat' || after.msat > before.msat;
}

function tierLoosenings(before: GovernanceSettings, after: GovernanceSettings): Loosening[] {
  const out: Loosening[] = [];
  const [b, a] = [before.tiers, after.tiers];
  if (a.autoMaxUsdCents > b.autoMaxUsdCents) {
    out.push({ kind: 'auto_limit_raised', why: `Raises what the agent pays without asking from ${formatUsd(b.autoMaxUsdCents)} to ${formatUsd(a.autoMaxUsdCents)}.` });
  }
  if (a.confirmMaxUsdCents > b.confirmMaxUsdCents) {
    out.push({ kind: 'confirm_limit_raised', why: `Raises what a click approves without your code from ${formatUsd(b.confirmMaxUsdCents)} to ${formatUsd(a.confirmMaxUsdCents)}.` });
  }
  if (b.notifyOnAuto && !a.notifyOnAuto) {
    out.push({ kind: 'auto_notifications_off', why: 'Stops telling you about each automatic payment.' });
  }
  return out;
}

/** How strict a per-service rule is; following the tiers (null) sits between always_allow and always_confirm. */
const STRICTNESS: Record<ServiceRuleKind | 'none', number> = { always_allow: 0, none: 1, always_confirm: 2, block: 3 };
const RULE_NAMES: Record<ServiceRuleKind | 'none', string> = {
  always_allow: 'always allow',
  none: 'follow the tiers',
  always_confirm: 'always confirm',
  block: 'block',
};

function serviceRuleLoosenings(before: ServiceRule[], after: ServiceRule[]): Loosening[] {
  const afterById = new Map(after.map((rule) => [rule.serviceId, rule]));
  const beforeIds = new Set(before.map((rule) => rule.serviceId));
  // A service with no rule before counts as "follow the tiers, no cap": only always_allow loosens it.
  const pairs: [string, ServiceRule | undefined, ServiceRule | undefined][] = [
    ...before.map((rule): [string, ServiceRule, ServiceRule | undefined] => [rule.serviceId, rule, afterById.get(rule.serviceId)]),
    ...after.filter((rule) => !beforeIds.has(rule.serviceId)).map((rule): [string, undefined, ServiceRule] => [rule.serviceId, undefined, rule]),
  ];
  return pairs.flatMap(([serviceId, was, now]) => {
    const from = was?.rule ?? 'none';
    const to = now?.rule ?? 'none';
    const ruleChange: Loosening[] =
      STRICTNESS[to] < STRICTNESS[from]
        ? [{ kind: 'service_rule_loosened', why: `Changes the rule for ${serviceId} from "${RULE_NAMES[from]}" to "${RULE_NAMES[to]}".` }]
        : [];
    return [...ruleChange, ...limitLoosening('service_cap', `the monthly cap for ${serviceId}`, was?.monthlyCap ?? null, now?.monthlyCap ?? null)];
  });
}
