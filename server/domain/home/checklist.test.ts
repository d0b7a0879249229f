import { describe, expect, it } from 'vitest';
import { checklistFor, markOutcome, type OnboardingFacts } from './checklist';

const NEW_PERSON: OnboardingFacts = { wallet: 'provisioned', fundedTopUps: 0, budgetChanged: false, twoFactorOn: false, tasks: 0 };
const states = (facts: OnboardingFacts, marks: [string, 'done' | 'skipped'][] = []) =>
  Object.fromEntries(checklistFor(facts, new Map(marks as never)).steps.map((s) => [s.step, s.state]));

describe('the first-run checklist', () => {
  it('starts with the provisioned wallet done and everything else to do', () => {
    expect(states(NEW_PERSON)).toEqual({ wallet: 'done', top_up: 'todo', budget: 'todo', two_factor: 'todo', first_task: 'todo' });
    expect(checklistFor(NEW_PERSON, new Map()).complete).toBe(false);
  });

  it('ticks steps from facts, and a fact outranks an earlier skip', () => {
    const facts = { ...NEW_PERSON, fundedTopUps: 1, twoFactorOn: true, tasks: 3 };
    expect(states(facts, [['two_factor', 'skipped']])).toMatchObject({ top_up: 'done', two_factor: 'done', first_task: 'done', budget: 'todo' });
  });

  it('is complete once every step is done or skipped; a stored mark on the wallet skips nothing', () => {
    const marks: [string, 'done' | 'skipped'][] = [['top_up', 'skipped'], ['budget', 'done'], ['two_factor', 'skipped'], ['first_task', 'skipped']];
    expect(checklistFor(NEW_PERSON, new Map(marks as never)).complete).toBe(true);
    expect(states({ ...NEW_PERSON, wallet: null }, [['wallet', 'skipped']]).wallet).toBe('todo');
  });

  it('lets a person skip, undo and keep the budget defaults, but not skip the wallet or tick a fact', () => {
    expect(markOutcome({ step: 'top_up', action: 'skip' })).toEqual({ ok: true, store: 'skipped' });
    expect(markOutcome({ step: 'top_up', action: 'undo' })).toEqual({ ok: true, store: null });
    expect(markOutcome({ step: 'budget', action: 'done' })).toEqual({ ok: true, store: 'done' });
    expect(markOutcome({ step: 'wallet', action: 'skip' })).toEqual({ ok: false, reason: 'step_not_skippable' });
    expect(markOutcome({ step: 'two_factor', action: 'done' })).toEqual({ ok: false, reason: 'step_done_by_its_fact' });
  });
});
