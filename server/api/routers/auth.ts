import { resetLinkInputSchema, resetPasswordInputSchema, signInInputSchema, signUpInputSchema } from '../../../shared/accounts';
import { unwrap } from '../errors';
import { authedProcedure, enforceRateLimit, publicProcedure, rateLimited, router } from '../trpc';

export const authRouter = router({
  /** Who is signed in (null when nobody); the client gates the app on this. */
  session: publicProcedure.query(({ ctx }) => ({ user: ctx.user })),

  signUp: publicProcedure
    .use(rateLimited('sign_up'))
    .input(signUpInputSchema)
    .mutation(async ({ ctx, input }) => {
      const signedUp = unwrap(await ctx.deps.accounts.accounts.signUp(input, ctx.meta));
      ctx.cookies.set(signedUp.sessionToken, signedUp.sessionExpiresAt);
      return { user: signedUp.user };
    }),

  signIn: publicProcedure
    .use(rateLimited('sign_in'))
    .input(signInInputSchema)
    .mutation(async ({ ctx, input }) => {
      // Per account too: guesses at one password spread over many addresses are as slow as from one.
      // Someone who knows an email can keep its owner out while they keep guessing; that is the price.
      await enforceRateLimit(ctx, 'sign_in', { account: input.email });
      const signedIn = unwrap(await ctx.deps.accounts.accounts.signIn(input, ctx.meta));
      ctx.cookies.set(signedIn.sessionToken, signedIn.sessionExpiresAt);
      return { user: signedIn.user };
    }),

  /**
   * The reset page's first look at its link: whose account, and whether a code will be asked. A POST,
   * though it changes nothing: a query would carry the link's token in the URL, where logs keep it.
   */
  inspectResetLink: publicProcedure
    .use(rateLimited('sign_in'))
    .input(resetLinkInputSchema)
    .mutation(({ ctx, input }) => {
      const { email, twoFactorEnabled, expiresAtMs } = unwrap(ctx.deps.accounts.passwordReset.inspect(input.token));
      return { email, twoFactorEnabled, expiresAtMs };
    }),

  /** A new password through the operator's reset link; every session ends, and the person signs in afresh. */
  resetPassword: publicProcedure
    .use(rateLimited('sign_in'))
    .input(resetPasswordInputSchema)
    .mutation(async ({ ctx, input }) => {
      const { sessionsEnded } = unwrap(await ctx.deps.accounts.passwordReset.reset(input, ctx.meta));
      ctx.cookies.clear();
      return { sessionsEnded };
    }),

  signOut: authedProcedure.mutation(({ ctx }) => {
    ctx.deps.accounts.accounts.signOut(ctx.user.id, ctx.session.sessionId, ctx.meta);
    ctx.cookies.clear();
    return { signedOut: true };
  }),
});
