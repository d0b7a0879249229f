import { onboardingMarkSchema } from '../../../shared/onboarding';
import { unwrap } from '../errors';
import { authedProcedure, router } from '../trpc';

/** The Home page: the first-run checklist and the month's spending for the dashboard's charts. */
export const homeRouter = router({
  checklist: authedProcedure.query(({ ctx }) => ctx.deps.home.checklist(ctx.user.id)),

  /** Skip a step, take a skip back, or keep the budget defaults. */
  mark: authedProcedure.input(onboardingMarkSchema).mutation(({ ctx, input }) => unwrap(ctx.deps.home.mark(ctx.user.id, input)).checklist),

  /** This month by day and by service, with the current rate for the fiat labels. */
  monthSpending: authedProcedure.query(async ({ ctx }) => ({
    ...ctx.deps.home.monthSpending(ctx.user.id, ctx.user.timeZone),
    rate: await ctx.deps.rates.current(),
  })),
});
