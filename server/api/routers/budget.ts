import { settingsChangeInputSchema } from '../../../shared/governance';
import { notifyBudgetThresholds } from '../../domain/alerts';
import { unwrap } from '../errors';
import { authedProcedure, proofAttemptsLimited, router } from '../trpc';

/** The Budget page: settings (limit, tiers, per-service rules, alert thresholds) and this month's gauge. */
export const budgetRouter = router({
  settings: authedProcedure.query(({ ctx }) => ctx.deps.governance.settingsFor(ctx.user.id)),

  /**
   * Saves the whole settings form. A change that loosens the guard needs `code` (2FA on) or `password`
   * (2FA off); calls carrying either count against the guessing limit. A lower limit may cross
   * thresholds at once, so alerts are checked.
   */
  saveSettings: authedProcedure
    .input(settingsChangeInputSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      const { settings } = unwrap(await ctx.deps.settingsChanges.change({ userId: ctx.user.id, ...input }, ctx.meta));
      const rate = await ctx.deps.rates.current();
      notifyBudgetThresholds(ctx.deps, { userId: ctx.user.id, timeZone: ctx.user.timeZone, rate });
      return settings;
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
