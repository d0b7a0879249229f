// The policy decision for a whole quote: governance's decide() applied to each step in order, each
// seeing the steps before it as already used (month, service and task), and the strictest outcome
// wins: deny > overage_required > step_up > confirm > auto. Because usage accumulates, the last step
// is judged at the task's total after the whole quote, so a plan split into many small steps gets the
// tier of its total, and an overage is the overage of the whole quote. Pure: callers read the usage.
import type { GovernanceSettings, PolicyDecision } from '../../../shared/governance';
import { addMsat, msat, type BtcUsdRate, type Msat } from '../../../shared/money';
import { decide } from '../governance';
import type { QuoteStep } from '../quotes';

export interface QuoteUsage {
  monthUsedMsat: Msat;
  taskUsedMsat: Msat;
  /** Used this period per serviceId; services missing here have used nothing. */
  serviceUsedMsat: Readonly<Record<string, Msat>>;
}

const SEVERITY: Record<PolicyDecision['kind'], number> = { auto: 0, confirm: 1, step_up: 2, overage_required: 3, deny: 4 };

export function decideQuote(input: {
  steps: readonly Pick<QuoteStep, 'serviceId' | 'maxMsat' | 'feeAllowanceMsat'>[];
  rate: BtcUsdRate;
  usage: QuoteUsage;
  settings: GovernanceSettings;
}): PolicyDecision {
  if (input.steps.length === 0) throw new Error('a quote without steps cannot be decided');
  let monthUsedMsat = input.usage.monthUsedMsat;
  let taskUsedMsat = input.usage.taskUsedMsat;
  const serviceUsed = new Map(Object.entries(input.usage.serviceUsedMsat));
  let strictest: PolicyDecision | null = null;
  for (const step of input.steps) {
    const decision = decide({
      quote: { serviceId: step.serviceId, maxMsat: step.maxMsat, feeAllowanceMsat: step.feeAllowanceMsat, rate: input.rate },
      settings: input.settings,
      usage: { monthUsedMsat, taskUsedMsat, serviceUsedMsat: serviceUsed.get(step.serviceId) ?? msat(0) },
    });
    // A deny stops the plan at that step; later steps cannot make it less strict.
    if (decision.kind === 'deny') return decision;
    // Later steps of equal strictness win: they describe the larger total.
    if (strictest === null || SEVERITY[decision.kind] >= SEVERITY[strictest.kind]) strictest = decision;
    monthUsedMsat = addMsat(monthUsedMsat, step.maxMsat);
    taskUsedMsat = addMsat(taskUsedMsat, step.maxMsat);
    serviceUsed.set(step.serviceId, addMsat(serviceUsed.get(step.serviceId) ?? msat(0), step.maxMsat));
  }
  if (strictest === null) throw new Error('unreachable: at least one step was decided');
  return strictest;
}

/**
 * A re-approval (the price moved) is never approved silently: an `auto` outcome is lifted to
 * `confirm`, so the person sees the new price before the task goes on.
 */
export function atLeastConfirm(decision: PolicyDecision, priceNote: string): PolicyDecision {
  if (decision.kind !== 'auto') return decision;
  return { kind: 'confirm', why: `${priceNote} ${decision.why.replace(/\.$/, '')}, but Steward asks again because the price changed.` };
}
