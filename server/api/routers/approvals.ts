import { z } from 'zod';
import { totpCodeSchema } from '../../../shared/accounts';
import type { Approval } from '../../domain/approvals';
import type { ApiContext } from '../context';
import { refusal, unwrap } from '../errors';
import { authedProcedure, enforceRateLimit, router } from '../trpc';

const approvalIdSchema = z.object({ approvalId: z.string().min(1).max(100) });

const approveInputSchema = approvalIdSchema.extend({
  code: totpCodeSchema.optional(),
  overageReason: z.string().trim().max(500, { message: 'Keep the reason under 500 characters.' }).optional(),
});

/**
 * An approval with the quote it is for (steps, range, locked rate), what the person (or agent) asked in
 * words, and the agent key that asked (null when the person's own task did), as the inbox shows it.
 */
function withQuote(ctx: Pick<ApiContext, 'deps'>, approval: Approval) {
  const agentName = approval.agentKeyId === null ? null : (ctx.deps.agentKeys.get(approval.userId, approval.agentKeyId)?.name ?? null);
  const request = ctx.deps.tasks.get(approval.userId, approval.taskId)?.request ?? null;
  return { approval, quote: ctx.deps.quotes.get(approval.userId, approval.quoteId), agentName, request };
}

/** The Approvals inbox. Every call is the caller's own; the second factor is checked in the domain. */
export const approvalsRouter = router({
  pending: authedProcedure.query(({ ctx }) => ctx.deps.approvals.listPending(ctx.user.id).map((a) => withQuote(ctx, a))),

  recent: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20) }).default({ limit: 20 }))
    .query(({ ctx, input }) => ctx.deps.approvals.list(ctx.user.id, { limit: input.limit }).map((a) => withQuote(ctx, a))),

  get: authedProcedure.input(approvalIdSchema).query(({ ctx, input }) => {
    const approval = ctx.deps.approvals.get(ctx.user.id, input.approvalId);
    if (!approval) throw refusal('not_found');
    return withQuote(ctx, approval);
  }),

  /**
   * Approves; step-up needs `code`, an overage needs `code` and `overageReason`. Only calls that carry
   * a code count against the code-guessing limit: plain confirmations are clicks, not guesses.
   */
  approve: authedProcedure
    .input(approveInputSchema)
    .use(async ({ ctx, input, next }) => {
      if (input.code) await enforceRateLimit(ctx, 'code_check');
      return next();
    })
    .mutation(({ ctx, input }) => {
      const result = ctx.deps.approvals.approve(
        {
          userId: ctx.user.id,
          approvalId: input.approvalId,
          ...(input.code ? { totpCode: input.code } : {}),
          ...(input.overageReason ? { overage: { reason: input.overageReason } } : {}),
        },
        ctx.meta,
      );
      return unwrap(result).approval;
    }),

  deny: authedProcedure.input(approvalIdSchema).mutation(({ ctx, input }) => unwrap(ctx.deps.approvals.deny({ userId: ctx.user.id, approvalId: input.approvalId })).approval),
});
