import { listReceiptsInputSchema } from '../../domain/payments';
import { authedProcedure, router } from '../trpc';

/** The Activity page: the signed-in person's payment receipts with their evidence, newest first. */
export const activityRouter = router({
  list: authedProcedure.input(listReceiptsInputSchema).query(({ ctx, input }) => ctx.deps.receipts.list(ctx.user.id, input)),
});
