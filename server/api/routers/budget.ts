import { governanceSettingsSchema } from '../../../shared/governance';
import { notifyBudgetThresholds } from '../../domain/alerts';
import { authedProcedure, router } from '../trpc';

/** The Budget page: settings (limit, tiers, per-service rules, alert thresholds) and this month's gauge. */
export const budgetRouter = router({
  settings: authedProcedure.query(({ ctx }) => ctx.deps.governance.settingsFor(ctx.user.id)),

  /** Saves the whole settings form; a lower limit may cross thresholds at once, so alerts are checked. */
  saveSettings: authedProcedure.input(governanceSettingsSchema).mutation(async ({ ctx, input }) => {
    ctx.deps.governance.saveSettings(ctx.user.id, input);
    const rate = await ctx.deps.rates.current();
    notifyBudgetThresholds(ctx.deps, { userId: ctx.user.id, timeZone: ctx.user.timeZone, rate });
    return ctx.deps.governance.settingsFor(ctx.user.id);
  }),

  /** This month's usage against the limit, in both units at the current rate, with the alert thresholds. */
  status: authedProcedure.query(async ({ ctx }) => {
    const rate = await ctx.deps.rates.current();
    const { period, summary } = ctx.deps.governance.status(ctx.user.id, ctx.user.timeZone, rate);
    return {
      periodKey: period.periodKey,
      periodEndsAt: period.endsAt.getTime(),
      summary,
      alertThresholdsPercent: ctx.deps.governance.settingsFor(ctx.user.id).alertThresholdsPercent,
      rate,
    };
  }),
});
