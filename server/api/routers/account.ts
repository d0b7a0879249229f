import { preferencesInputSchema } from '../../../shared/accounts';
import { unwrap } from '../errors';
import { authedProcedure, operatorProcedure, proofAttemptsLimited, router } from '../trpc';

export const accountRouter = router({
  /**
   * Saves the time zone and display currency. A new time zone moves the budget month, so it needs
   * `code` (2FA on) or `password` (2FA off) like other loosening changes; calls carrying either count
   * against the guessing limit.
   */
  updatePreferences: authedProcedure
    .input(preferencesInputSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      const { code, password, ...preferences } = input;
      const { user } = unwrap(await ctx.deps.settingsChanges.changePreferences({ userId: ctx.user.id, preferences, code, password }, ctx.meta));
      return { user };
    }),
});

/** Operator-only views. Operators review disputes later; for now they can see who has an account. */
export const operatorRouter = router({
  users: operatorProcedure.query(({ ctx }) => ctx.deps.accounts.accounts.listUsers()),
});
