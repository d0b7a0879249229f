import { auditLogInputSchema, codeInputSchema, confirmTotpEnrollmentInputSchema, sessionIdInputSchema } from '../../../shared/accounts';
import { unwrap } from '../errors';
import { authedProcedure, passwordGuessesLimited, rateLimited, router } from '../trpc';

/** The security settings page: 2FA, recovery codes, sessions, audit log. Everything scoped to ctx.user. */
export const securityRouter = router({
  twoFactorStatus: authedProcedure.query(({ ctx }) => ctx.deps.accounts.twoFactor.status(ctx.user.id)),

  beginTotpEnrollment: authedProcedure.mutation(async ({ ctx }) => {
    const { secret, otpauthUri, qrDataUrl } = unwrap(
      await ctx.deps.accounts.twoFactor.beginEnrollment(ctx.user.id, ctx.user.email, ctx.meta),
    );
    return { secret, otpauthUri, qrDataUrl };
  }),

  /** With the password too: once 2FA is on every proof is a code, so a session alone must not turn it on. */
  confirmTotpEnrollment: authedProcedure
    .use(rateLimited('code_check'))
    .use(passwordGuessesLimited)
    .input(confirmTotpEnrollmentInputSchema)
    .mutation(async ({ ctx, input }) => {
      const { recoveryCodes } = unwrap(await ctx.deps.accounts.accounts.enableTwoFactor(ctx.user.id, input, ctx.meta));
      return { recoveryCodes };
    }),

  disableTotp: authedProcedure
    .use(rateLimited('code_check'))
    .input(codeInputSchema)
    .mutation(({ ctx, input }) => {
      unwrap(ctx.deps.accounts.twoFactor.disable(ctx.user.id, input.code, ctx.meta));
      return { disabled: true };
    }),

  regenerateRecoveryCodes: authedProcedure
    .use(rateLimited('code_check'))
    .input(codeInputSchema)
    .mutation(({ ctx, input }) => {
      const { recoveryCodes } = unwrap(ctx.deps.accounts.twoFactor.regenerateRecoveryCodes(ctx.user.id, input.code, ctx.meta));
      return { recoveryCodes };
    }),

  sessions: authedProcedure.query(({ ctx }) => ctx.deps.accounts.sessions.list(ctx.user.id, ctx.session.sessionId)),

  revokeSession: authedProcedure.input(sessionIdInputSchema).mutation(({ ctx, input }) => {
    unwrap(ctx.deps.accounts.accounts.revokeSession(ctx.user.id, input.sessionId, ctx.meta));
    if (input.sessionId === ctx.session.sessionId) ctx.cookies.clear();
    return { revoked: true };
  }),

  signOutEverywhere: authedProcedure.mutation(({ ctx }) => {
    const result = ctx.deps.accounts.accounts.signOutEverywhere(ctx.user.id, ctx.meta);
    ctx.cookies.clear();
    return result;
  }),

  auditLog: authedProcedure
    .input(auditLogInputSchema)
    .query(({ ctx, input }) => ctx.deps.accounts.audit.list(ctx.user.id, input)),
});
