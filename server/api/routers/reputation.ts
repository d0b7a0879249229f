import { z } from 'zod';
import { passwordSchema, totpCodeSchema } from '../../../shared/accounts';
import { disputeViewSchema } from '../../../shared/disputes';
import { pausedServiceSchema, pausePolicySchema, providerNameSchema, serviceReputationSchema } from '../../../shared/reputation';
import { unwrap } from '../errors';
import { authedProcedure, operatorProcedure, proofAttemptsLimited, router } from '../trpc';

const providerIdSchema = z.string().min(1).max(200);

/** A provider's record beside a dispute under review, with its name for the heading. */
const providerHistorySchema = z.object({
  providerName: providerNameSchema,
  services: z.array(serviceReputationSchema),
  disputes: z.array(disputeViewSchema),
  paused: z.array(pausedServiceSchema),
});

/** Where providers stand: a person's blocklist, and the operators' auto-pause (issue 12 item 8). */
export const reputationRouter = router({
  /** The providers the caller blocked (the Services page lists them, with Unblock). */
  blocked: authedProcedure.query(({ ctx }) => ctx.deps.standing.blocked(ctx.user.id)),

  /**
   * One click from a dispute (named by its id on the Disputes page, by its step on the chat card): the
   * disputed step's provider is never quoted or paid for the caller again.
   */
  blockFromDispute: authedProcedure
    .input(z.union([z.object({ disputeId: z.string().min(1).max(100) }), z.object({ taskId: z.string().min(1).max(100), stepId: z.string().min(1).max(100) })]))
    .mutation(({ ctx, input }) => {
      const dispute = 'disputeId' in input ? unwrap(ctx.deps.disputes.get(ctx.user.id, input.disputeId)).dispute : ctx.deps.disputes.forStep(ctx.user.id, input.taskId, input.stepId);
      if (!dispute) return unwrap({ ok: false, reason: 'dispute_not_found' } as const);
      const { providerId } = dispute.evidence;
      const { providerName } = dispute;
      ctx.deps.standing.block(ctx.user.id, { providerId, providerName, disputeId: dispute.id });
      return { providerId, providerName };
    }),

  /** Unblocking loosens the guard: `code` (2FA on) or `password`, as every loosening change needs. */
  unblock: authedProcedure
    .input(z.object({ providerId: providerIdSchema, code: totpCodeSchema.optional(), password: passwordSchema.optional() }))
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      unwrap(await ctx.deps.settingsChanges.unblockProvider({ userId: ctx.user.id, providerId: input.providerId, code: input.code, password: input.password }, ctx.meta));
      return { providerId: input.providerId };
    }),

  /** Operators: the auto-pause policy and the services it paused. */
  pauses: operatorProcedure.query(({ ctx }) => ({ policy: ctx.deps.standing.policy(), paused: ctx.deps.standing.paused() })),

  setPausePolicy: operatorProcedure.input(pausePolicySchema).mutation(({ ctx, input }) => ctx.deps.standing.setPolicy(ctx.user.id, input)),

  /** Operators: a paused service can be quoted and paid again. */
  resume: operatorProcedure.input(z.object({ serviceId: z.string().min(1).max(300) })).mutation(({ ctx, input }) => {
    unwrap(ctx.deps.standing.resume(ctx.user.id, input.serviceId));
    return { serviceId: input.serviceId };
  }),

  /** Operators: a provider's 30-day figures per service and its latest disputes, beside a dispute under review. */
  providerHistory: operatorProcedure
    .input(z.object({ providerId: providerIdSchema }))
    .output(providerHistorySchema)
    .query(({ ctx, input }) => ({
      providerName: ctx.deps.providerNames.for(null)(input.providerId),
      services: ctx.deps.reputation.list().filter((r) => r.providerId === input.providerId),
      disputes: ctx.deps.disputes.forProvider(input.providerId),
      paused: ctx.deps.standing.paused().filter((p) => p.providerId === input.providerId),
    })),
});
