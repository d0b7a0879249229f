import { z } from 'zod';
import { activityFiltersSchema, activityRowSchema, listActivityInputSchema } from '../../../shared/activity';
import { authedProcedure, router } from '../trpc';

/** The most rows one CSV export holds: a year of heavy use; the filters narrow anything larger. */
const EXPORT_LIMIT = 5_000;

/**
 * The Activity page: the signed-in person's payment receipts with their evidence, newest first,
 * filtered in SQL (service, outcome, month, search), each naming the agent key that spent it (null
 * when the person's own task did), the task step behind it (for the Dispute action) and its dispute,
 * if any (status and refund, shown beside the payment).
 */
export const activityRouter = router({
  list: authedProcedure.input(listActivityInputSchema).output(z.array(activityRowSchema)).query(({ ctx, input }) => ctx.deps.activity.list(ctx.user.id, input, ctx.user.timeZone)),

  /** The filtered list as CSV, built on the server so escaping lives (and is tested) in one place. */
  exportCsv: authedProcedure
    .input(activityFiltersSchema)
    .query(({ ctx, input }) => ctx.deps.activity.exportCsv(ctx.user.id, { ...input, limit: EXPORT_LIMIT }, ctx.user.timeZone)),

  /** What the filters offer: the services this person has paid, by id and name. */
  services: authedProcedure.query(({ ctx }) => ctx.deps.activity.services(ctx.user.id)),
});
