import { preferencesInputSchema } from '../../../shared/accounts';
import { authedProcedure, operatorProcedure, router } from '../trpc';

export const accountRouter = router({
  updatePreferences: authedProcedure
    .input(preferencesInputSchema)
    .mutation(({ ctx, input }) => ({ user: ctx.deps.accounts.accounts.updatePreferences(ctx.user.id, input, ctx.meta) })),
});

/** Operator-only views. Operators review disputes later; for now they can see who has an account. */
export const operatorRouter = router({
  users: operatorProcedure.query(({ ctx }) => ctx.deps.accounts.accounts.listUsers()),
});
