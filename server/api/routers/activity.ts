import { listReceiptsInputSchema } from '../../domain/payments';
import { authedProcedure, router } from '../trpc';

/**
 * The Activity page: the signed-in person's payment receipts with their evidence, newest first, each
 * naming the agent key that spent it (null when the person's own task did) and its dispute, if any
 * (status and refund, shown beside the payment).
 */
export const activityRouter = router({
  list: authedProcedure.input(listReceiptsInputSchema).query(({ ctx, input }) => {
    const receipts = ctx.deps.receipts.list(ctx.user.id, input);
    const ids = receipts.map((r) => r.id);
    const agents = ctx.deps.agentKeys.namesForPayments(ctx.user.id, ids);
    const disputes = ctx.deps.disputes.forPayments(ctx.user.id, ids);
    return receipts.map((receipt) => ({ ...receipt, agentName: agents.get(receipt.id) ?? null, dispute: disputes.get(receipt.id) ?? null }));
  }),
});
