// The spending policy: one pure function from a quote, what has been used, and the person's settings
// to a named decision with the sentence the UI shows. No clock, no database: callers gather the usage
// (inside the reservation transaction, see budget-precondition.ts) and pass it in.
//
// Precedence, first match wins:
//   1. service rule `block`                       -> deny('service_blocked')
//   2. task total would pass the per-task cap     -> deny('exceeds_task_cap')
//   3. service's month would pass its monthly cap -> deny('exceeds_service_cap')
//   4. month would pass the monthly limit         -> overage_required(overageMsat)
//   5. tier of the task's total after this spend:  <= auto -> auto, <= confirm -> confirm, else step_up;
//      then `always_confirm` lifts auto to confirm and `always_allow` lowers confirm to auto.
// Blocks and caps are the person's hard "no", so they beat an overage, which is a "yes, if I say so".
// `always_allow` never touches 1-4 and never skips step_up: the second factor guards against someone
// else holding the session, which a per-service preference cannot speak for.
//
// Tiers compare the TASK's total (already used by the task + this quote's max), not the step alone:
// otherwise a $3 task split into sixty 5-cent steps would auto-approve every one. For a task's first
// spend the two are the same. Every comparison is "at most" (<=): exactly at a threshold is the lower
// tier, one msat above (which rounds up to the next cent) is the higher one.
import type { DenyReason, GovernanceSettings, PolicyDecision, ServiceRule, SpendQuote, Tier } from '../../../shared/governance';
import { formatUsd, msat, type Msat } from '../../../shared/money';
import { formatLimit, formatSpend, limitToMsat, spendToUsdCents } from './budget';

/** Usage the decision depends on, each already netted by usedMsat() (see budget.ts). */
export interface SpendUsage {
  /** Used this period across all services. */
  monthUsedMsat: Msat;
  /** Used this period for the quote's service. */
  serviceUsedMsat: Msat;
  /** Used so far by the task this spend belongs to. */
  taskUsedMsat: Msat;
}

export interface PolicyInput {
  quote: SpendQuote;
  usage: SpendUsage;
  settings: GovernanceSettings;
}

export function serviceRuleFor(settings: GovernanceSettings, serviceId: string): ServiceRule | undefined {
  // A loop, not .find(): its callback would be a new closure on each of a decision's three calls.
  for (const rule of settings.serviceRules) if (rule.serviceId === serviceId) return rule;
  return undefined;
}

export type LimitVerdict =
  | { ok: true }
  | { ok: false; kind: 'deny'; reason: DenyReason; why: string }
  | { ok: false; kind: 'overage'; overageMsat: Msat; why: string };

/**
 * Steps 1-4: the hard limits, shared by decide() and by the check inside the reservation transaction.
 * `authorizedOverageMsat` is how far past the monthly limit the person has already approved (with a
 * second factor) for this spend; 0 for a fresh decision.
 */
export function checkLimits(input: PolicyInput, authorizedOverageMsat: Msat = msat(0)): LimitVerdict {
  const { quote, usage, settings } = input;
  const rule = serviceRuleFor(settings, quote.serviceId);
  if (rule?.rule === 'block') {
    return { ok: false, kind: 'deny', reason: 'service_blocked', why: `You have blocked payments to ${quote.serviceId}.` };
  }
  if (settings.taskCap !== null) {
    const taskTotal = msat(usage.taskUsedMsat + quote.maxMsat);
    if (taskTotal > limitToMsat(settings.taskCap, quote.rate)) {
      return {
        ok: false,
        kind: 'deny',
        reason: 'exceeds_task_cap',
        why: `This task would spend ${formatSpend(taskTotal, quote.rate)}, over your ${formatLimit(settings.taskCap, quote.rate)} per-task cap.`,
      };
    }
  }
  if (rule?.monthlyCap) {
    const serviceTotal = msat(usage.serviceUsedMsat + quote.maxMsat);
    if (serviceTotal > limitToMsat(rule.monthlyCap, quote.rate)) {
      return {
        ok: false,
        kind: 'deny',
        reason: 'exceeds_service_cap',
        why: `${quote.serviceId} would reach ${formatSpend(serviceTotal, quote.rate)} this month, over its ${formatLimit(rule.monthlyCap, quote.rate)} monthly cap.`,
      };
    }
  }
  if (settings.monthlyLimit !== null) {
    const limitMsat = limitToMsat(settings.monthlyLimit, quote.rate);
    const overageMsat = usage.monthUsedMsat + quote.maxMsat - limitMsat;
    if (overageMsat > authorizedOverageMsat) {
      return {
        ok: false,
        kind: 'overage',
        overageMsat: msat(overageMsat),
        why: `This would go ${formatSpend(msat(overageMsat), quote.rate)} over your ${formatLimit(settings.monthlyLimit, quote.rate)} monthly budget; going over needs your approval with your second factor.`,
      };
    }
  }
  return { ok: true };
}

/** Step 5: the approval tier of the task's total after this spend, before service rules. */
export function tierFor(input: PolicyInput): Tier {
  const totalUsdCents = spendToUsdCents(msat(input.usage.taskUsedMsat + input.quote.maxMsat), input.quote.rate);
  const { autoMaxUsdCents, confirmMaxUsdCents } = input.settings.tiers;
  if (totalUsdCents <= autoMaxUsdCents) return 'auto';
  if (totalUsdCents <= confirmMaxUsdCents) return 'confirm';
  return 'step_up';
}

function describeTotal(input: PolicyInput): string {
  const { quote, usage } = input;
  const spend = formatSpend(quote.maxMsat, quote.rate);
  if (usage.taskUsedMsat === 0) return spend;
  return `${spend}, bringing this task to ${formatSpend(msat(usage.taskUsedMsat + quote.maxMsat), quote.rate)},`;
}

/** The decision for a spend; see the top of this file for the order of the checks. */
export function decide(input: PolicyInput): PolicyDecision {
  const limits = checkLimits(input);
  if (!limits.ok) {
    return limits.kind === 'deny'
      ? { kind: 'deny', reason: limits.reason, why: limits.why }
      : { kind: 'overage_required', overageMsat: limits.overageMsat, why: limits.why };
  }
  const { tiers } = input.settings;
  const amount = describeTotal(input);
  const autoMax = formatUsd(tiers.autoMaxUsdCents);
  const confirmMax = formatUsd(tiers.confirmMaxUsdCents);
  const rule = serviceRuleFor(input.settings, input.quote.serviceId)?.rule;
  const service = input.quote.serviceId;
  switch (tierFor(input)) {
    case 'auto':
      if (rule === 'always_confirm') {
        return { kind: 'confirm', why: `${amount} is within your ${autoMax} auto-approve limit, but you asked to confirm every payment to ${service}.` };
      }
      return { kind: 'auto', notify: tiers.notifyOnAuto, why: `${amount} is within your ${autoMax} auto-approve limit.` };
    case 'confirm':
      if (rule === 'always_allow') {
        return { kind: 'auto', notify: tiers.notifyOnAuto, why: `${amount} is within your ${confirmMax} confirm limit, and you always allow ${service}.` };
      }
      return { kind: 'confirm', why: `${amount} is over your ${autoMax} auto-approve limit, so it needs your confirmation.` };
    case 'step_up':
      return { kind: 'step_up', why: `${amount} is over your ${confirmMax} confirm limit, so it needs your second factor.` };
  }
}
