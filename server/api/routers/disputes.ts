import { disputeViewSchema, openDisputeInputSchema, operatorRefundInputSchema, operatorRejectInputSchema } from '../../../shared/disputes';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { unwrap } from '../errors';
import { authedProcedure, operatorProcedure, router } from '../trpc';

const disputeIdSchema = z.object({ disputeId: z.string().min(1).max(100) });

/** A person's disputes (their own only), and the operators' console (operator role only). */
export const disputesRouter = router({
  /** Disputes a paid step: non-delivery is refunded at once, quality goes to an operator. */
  open: authedProcedure.input(openDisputeInputSchema).mutation(({ ctx, input }) => {
    const judged = unwrap(ctx.deps.tasks.judgeStep(ctx.user.id, { taskId: input.taskId, stepId: input.stepId, verdict: 'dispute', complaint: input.reason, category: input.category, openedBy: 'person' }));
    return judged.dispute;
  }),

  /** The caller's disputes, newest first, with status and evidence. */
  list: authedProcedure.output(z.array(disputeViewSchema)).query(({ ctx }) => ctx.deps.disputes.list(ctx.user.id)),

  /**
   * Live: each of the caller's disputes as it changes (opened, decided, refunded), as the whole view.
   * It ends with the session, like every signed-in stream (trpc.ts).
   */
  onChange: authedProcedure.subscription(async function* ({ ctx }) {
    for await (const change of ctx.deps.disputes.changes(ctx.user.id, ctx.streamSignal)) {
      const found = ctx.deps.disputes.get(ctx.user.id, change.disputeId);
      if (found.ok) yield tracked(`${found.dispute.id}:${found.dispute.updatedAtMs}`, found.dispute);
    }
  }),

  get: authedProcedure.input(disputeIdSchema).output(disputeViewSchema).query(({ ctx, input }) => unwrap(ctx.deps.disputes.get(ctx.user.id, input.disputeId)).dispute),

  /** What the form explains: the share of this month's paid spend a person may dispute. */
  limits: authedProcedure.query(({ ctx }) => ({ sharePercent: ctx.deps.disputes.sharePercent() })),

  /** Operators: disputes waiting for a decision, and refunds on their way. */
  queue: operatorProcedure.output(z.object({ underReview: z.array(disputeViewSchema), refunding: z.array(disputeViewSchema) })).query(({ ctx }) => ({ underReview: ctx.deps.disputes.underReview(), refunding: ctx.deps.disputes.refunding() })),

  /** Operators: refund all (no amount) or part (an amount in msat) of a dispute under review. */
  refund: operatorProcedure
    .input(operatorRefundInputSchema)
    .mutation(({ ctx, input }) => unwrap(ctx.deps.disputes.decide(ctx.user.id, input.disputeId, { kind: 'refund', note: input.note, ...(input.amountMsat === undefined ? {} : { amountMsat: input.amountMsat }) })).dispute),

  /** Operators: reject a dispute under review, with a note the person reads. */
  reject: operatorProcedure
    .input(operatorRejectInputSchema)
    .mutation(({ ctx, input }) => unwrap(ctx.deps.disputes.decide(ctx.user.id, input.disputeId, { kind: 'reject', note: input.note })).dispute),
});
