// The first-run checklist: each step's state from facts (a wallet, a funded top-up, 2FA, a first task)
// and from what the person said (a skip, the budget defaults kept). Pure: the service reads the facts.
import { ONBOARDING_STEPS, type OnboardingMark, type OnboardingStep, type OnboardingStepState } from '../../../shared/onboarding';

export interface OnboardingFacts {
  /** The spending wallet in use: the one Steward provisioned, the person's own, or none yet. */
  wallet: 'provisioned' | 'own' | null;
  fundedTopUps: number;
  /** The budget or tiers were saved at least once (the audit log's guard_settings_changed). */
  budgetChanged: boolean;
  twoFactorOn: boolean;
  tasks: number;
}

export interface ChecklistStep {
  step: OnboardingStep;
  state: OnboardingStepState;
  /** A step without which Steward cannot spend (the wallet) cannot be skipped. */
  skippable: boolean;
}

export interface Checklist {
  steps: ChecklistStep[];
  /** Every step done or skipped: the welcome folds away. */
  complete: boolean;
  wallet: OnboardingFacts['wallet'];
}

const SKIPPABLE: Record<OnboardingStep, boolean> = { wallet: false, top_up: true, budget: true, two_factor: true, first_task: true };

function factDone(step: OnboardingStep, facts: OnboardingFacts): boolean {
  switch (step) {
    case 'wallet':
      return facts.wallet !== null;
    case 'top_up':
      return facts.fundedTopUps > 0;
    case 'budget':
      return facts.budgetChanged;
    case 'two_factor':
      return facts.twoFactorOn;
    case 'first_task':
      return facts.tasks > 0;
  }
}

/** A fact outranks a mark: a skipped 2FA step turns done once 2FA is on. */
export function checklistFor(facts: OnboardingFacts, marks: ReadonlyMap<OnboardingStep, 'done' | 'skipped'>): Checklist {
  const steps = ONBOARDING_STEPS.map((step): ChecklistStep => {
    const mark = marks.get(step);
    const state: OnboardingStepState = factDone(step, facts) || (mark === 'done' && step === 'budget') ? 'done' : mark === 'skipped' && SKIPPABLE[step] ? 'skipped' : 'todo';
    return { step, state, skippable: SKIPPABLE[step] };
  });
  return { steps, complete: steps.every((s) => s.state !== 'todo'), wallet: facts.wallet };
}

export type MarkRefusal = 'step_not_skippable' | 'step_done_by_its_fact';

/** What a mark stores (null: remove the step's mark), or why the person cannot say that. */
export function markOutcome(mark: OnboardingMark): { ok: true; store: 'done' | 'skipped' | null } | { ok: false; reason: MarkRefusal } {
  if (mark.action === 'undo') return { ok: true, store: null };
  if (mark.action === 'done') return mark.step === 'budget' ? { ok: true, store: 'done' } : { ok: false, reason: 'step_done_by_its_fact' };
  return SKIPPABLE[mark.step] ? { ok: true, store: 'skipped' } : { ok: false, reason: 'step_not_skippable' };
}
