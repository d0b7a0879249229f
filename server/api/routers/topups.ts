import { topUpIdSchema, topUpRequestSchema } from '../../../shared/topups';
import { unwrap } from '../errors';
import { authedProcedure, router, topUpCreateProcedure } from '../trpc';

/** Card top-ups on the Wallet page and its return page. */
export const topUpsRouter = router({
  limits: authedProcedure.query(({ ctx }) => ctx.deps.topUps.limits()),
  /** What an amount buys at the current rate, shown before paying; `create` locks its own. */
  quote: authedProcedure.input(topUpRequestSchema).query(async ({ ctx, input }) => unwrap(await ctx.deps.topUps.quote(ctx.user.id, input.amountUsdCents)).quote),
  create: topUpCreateProcedure
    .input(topUpRequestSchema)
    .mutation(async ({ ctx, input }) => unwrap(await ctx.deps.topUps.create(ctx.user.id, input.amountUsdCents)).topUp),
  get: authedProcedure.input(topUpIdSchema).query(({ ctx, input }) => unwrap(ctx.deps.topUps.get(ctx.user.id, input.topUpId)).topUp),
  /** The top-up now and after each change (SSE): the return page shows paid -> funding -> funded live. */
  watch: authedProcedure.input(topUpIdSchema).subscription(async function* ({ ctx, input }) {
    // Another person's id (or none) is refused up front, not answered with an empty stream.
    unwrap(ctx.deps.topUps.get(ctx.user.id, input.topUpId));
    yield* ctx.deps.topUps.watch(ctx.user.id, input.topUpId, ctx.streamSignal);
  }),
});
