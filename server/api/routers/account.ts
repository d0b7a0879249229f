import { changePasswordInputSchema, dataExportInputSchema, deleteAccountInputSchema, preferencesInputSchema } from '../../../shared/accounts';
import { unwrap } from '../errors';
import { authedProcedure, dataExportProcedure, operatorProcedure, passwordGuessesLimited, proofAttemptsLimited, router } from '../trpc';

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

  /** A new password, given the current one; every other session (and its live streams) ends. */
  changePassword: authedProcedure
    .input(changePasswordInputSchema)
    .use(passwordGuessesLimited)
    .mutation(async ({ ctx, input }) => {
      const { otherSessionsEnded } = unwrap(await ctx.deps.accounts.accounts.changePassword(ctx.user.id, ctx.session.sessionId, input, ctx.meta));
      return { otherSessionsEnded };
    }),

  /** Every row of the person's data as one file (JSON or CSV), secrets redacted; the client saves it. Audited and limited per person. */
  exportData: dataExportProcedure.input(dataExportInputSchema).query(({ ctx, input }) => ctx.deps.accountCare.exportData(ctx.user.id, input.format, ctx.meta)),

  /** What the deletion form needs first: the balance that would be left behind and which proof is asked. */
  deletionStanding: authedProcedure.query(({ ctx }) => ctx.deps.accountCare.deletionStanding(ctx.user.id)),

  /** Deletes the account (proof, and the balance withdrawn or forfeited first); every session ends. */
  deleteAccount: authedProcedure
    .input(deleteAccountInputSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      const { forfeitedMsat } = unwrap(await ctx.deps.accountCare.deleteAccount(ctx.user.id, input, ctx.meta));
      ctx.cookies.clear();
      return { deleted: true, forfeitedMsat };
    }),
});

/** Operator-only views. Operators review disputes later; for now they can see who has an account. */
export const operatorRouter = router({
  users: operatorProcedure.query(({ ctx }) => ctx.deps.accounts.accounts.listUsers()),
});
