import { agentKeyIdSchema, createAgentKeyInputSchema } from '../../../shared/agent-keys';
import { unwrap } from '../errors';
import { authedProcedure, proofAttemptsLimited, router } from '../trpc';

/**
 * Settings -> Agent keys. `create` takes a fresh proof (a key outlives the session: issue-key.ts) and
 * answers with the key itself this once (only its hash is kept);
 * `revoke` takes effect at once and stops the key's tasks in flight. Every call is the caller's own.
 */
export const agentKeysRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.deps.agentKeys.list(ctx.user.id)),
  create: authedProcedure
    .input(createAgentKeyInputSchema)
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      const { key, secret } = unwrap(await ctx.deps.issueAgentKey(ctx.user.id, input, ctx.meta));
      return { key, secret };
    }),
  revoke: authedProcedure.input(agentKeyIdSchema).mutation(({ ctx, input }) => unwrap(ctx.deps.agentKeys.revoke(ctx.user.id, input.keyId)).key),
});
