// The Home page's data: the first-run checklist (facts and marks) and the month's spending by day and
// by service. Reads only; the one write is a person's mark on a checklist step.
import type { OnboardingMark } from '../../../shared/onboarding';
import type { HomeRepository } from '../../db/repositories/home-repository';
import { periodFor } from '../governance';
import { checklistFor, markOutcome, type Checklist, type MarkRefusal } from './checklist';
import { monthSpending, type MonthSpending } from './month-spending';

export interface HomeDeps {
  repo: HomeRepository;
  now: () => Date;
}

export type Home = ReturnType<typeof createHome>;

export function createHome(deps: HomeDeps) {
  const checklist = (userId: string): Checklist => {
    const facts = deps.repo.facts(userId);
    return checklistFor(
      {
        wallet: facts.ownWallet ? 'own' : facts.provisionedWallet ? 'provisioned' : null,
        fundedTopUps: facts.fundedTopUps,
        budgetChanged: Boolean(facts.budgetChanged),
        twoFactorOn: Boolean(facts.twoFactorOn),
        tasks: facts.tasks,
      },
      deps.repo.marks(userId),
    );
  };
  return {
    checklist,
    mark(userId: string, mark: OnboardingMark): { ok: true; checklist: Checklist } | { ok: false; reason: MarkRefusal } {
      const outcome = markOutcome(mark);
      if (!outcome.ok) return outcome;
      deps.repo.setMark(userId, mark.step, outcome.store, deps.now().getTime());
      return { ok: true, checklist: checklist(userId) };
    },
    /** This month (in the person's zone) so far. */
    monthSpending(userId: string, timeZone: string): MonthSpending {
      const period = periodFor(deps.now(), timeZone);
      return monthSpending(deps.repo.paidBetween(userId, period.startsAt.getTime(), period.endsAt.getTime()), period, timeZone);
    },
  };
}
