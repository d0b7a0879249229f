import { z } from 'zod';
import { passwordSchema, totpCodeSchema } from '../../../shared/accounts';
import { unwrap } from '../errors';
import { authedProcedure, proofAttemptsLimited, providerAddProcedure, router } from '../trpc';

const serviceIdSchema = z.string().min(1).max(300);

export const catalogRouter = router({
  /**
   * Every service the caller can use, with their allow/block preference, and the providers they come
   * from; `rate` is the current BTC/USD rate, so prices can be shown in dollars too (display only).
   */
  list: authedProcedure.query(async ({ ctx }) => ({
    services: ctx.deps.catalog.entriesFor(ctx.user.id),
    providers: ctx.deps.catalog.providersFor(ctx.user.id),
    rate: await ctx.deps.rates.current(),
  })),

  /**
   * Provider reputation (last 30 days, counted over everyone's purchases) for the services the caller's
   * catalog holds: only those, so a person learns nothing about services they were never shown.
   */
  reputation: authedProcedure.query(({ ctx }) => {
    const services = ctx.deps.catalog.servicesFor(ctx.user.id);
    const shown = new Set(services.map((s) => s.id));
    // Paused for everyone by the operators' threshold: the page says so beside the service.
    const paused = ctx.deps.standing.paused().filter((p) => shown.has(p.serviceId));
    return { services: ctx.deps.reputation.forServices(services), paused };
  }),

  /** A rule that loosens the guard (unblock, always allow) needs `code` or `password`, as on the Budget page. */
  setPreference: authedProcedure
    .input(
      z.object({
        serviceId: serviceIdSchema,
        preference: z.enum(['allow', 'block']).nullable(),
        code: totpCodeSchema.optional(),
        password: passwordSchema.optional(),
      }),
    )
    .use(proofAttemptsLimited)
    .mutation(async ({ ctx, input }) => {
      const { settings } = unwrap(ctx.deps.catalog.withPreference(ctx.user.id, input.serviceId, input.preference));
      unwrap(await ctx.deps.settingsChanges.change({ userId: ctx.user.id, settings, code: input.code, password: input.password }, ctx.meta));
      return { serviceId: input.serviceId, preference: input.preference };
    }),

  priceHistory: authedProcedure.input(z.object({ serviceId: serviceIdSchema })).query(({ ctx, input }) => {
    const history = ctx.deps.catalog.priceHistory(ctx.user.id, input.serviceId);
    if (history === null) return unwrap({ ok: false, reason: 'service_not_found' } as const);
    return history;
  }),

  /** Adds a provider by URL for the caller; kept only when its manifest loads (live mode: public http(s) only). */
  addProvider: providerAddProcedure
    .input(z.object({ url: z.string().trim().min(1, { message: 'Enter the provider URL.' }).max(2_000) }))
    .mutation(async ({ ctx, input }) => unwrap(await ctx.deps.catalog.addProvider(ctx.user.id, input.url)).provider),

  removeProvider: authedProcedure.input(z.object({ providerId: z.string().min(1).max(100) })).mutation(({ ctx, input }) => {
    if (!ctx.deps.catalog.removeProvider(ctx.user.id, input.providerId)) unwrap({ ok: false, reason: 'provider_not_found' } as const);
    return { providerId: input.providerId };
  }),
});
