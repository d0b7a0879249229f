import { listReceiptsInputSchema } from '../../domain/payments';
import { authedProcedure, router } from '../trpc';

/**
 * The Activity page: the signed-in person's payment receipts with their evidence, newest first, each
 * naming the agent key that spent it (null when the person's own task did).
 */
export const activityRouter = router({
  list: authedProcedure.input(listReceiptsInputSchema).query(({ ctx, input }) => {
    const receipts = ctx.deps.receipts.list(ctx.user.id, input);
    const agents = ctx.deps.agentKeys.namesForPayments(ctx.user.id, receipts.map((r) => r.id));
    return receipts.map((receipt) => ({ ...receipt, agentName: agents.get(receipt.id) ?? null }));
  }),
});
