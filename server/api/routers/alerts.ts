import { tracked } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, router } from '../trpc';

/** The Alerts centre and the live toasts. */
export const alertsRouter = router({
  list: authedProcedure
    .input(
      z
        .object({ unreadOnly: z.boolean().default(false), limit: z.number().int().min(1).max(200).default(50), beforeId: z.number().int().positive().optional() })
        .default({ unreadOnly: false, limit: 50 }),
    )
    .query(({ ctx, input }) => ctx.deps.alerts.list(ctx.user.id, input)),

  unreadCount: authedProcedure.query(({ ctx }) => ctx.deps.alerts.unreadCount(ctx.user.id)),

  markRead: authedProcedure
    .input(z.object({ ids: z.array(z.number().int().positive()).min(1).max(200) }))
    .mutation(({ ctx, input }) => ({ marked: ctx.deps.alerts.markRead(ctx.user.id, input.ids) })),

  markAllRead: authedProcedure.mutation(({ ctx }) => ({ marked: ctx.deps.alerts.markAllRead(ctx.user.id) })),

  /** New alerts as they are stored (SSE). Missed ones are in `list`: the client refetches it on reconnect. */
  onAlert: authedProcedure.subscription(async function* ({ ctx }) {
    for await (const alert of ctx.deps.alerts.live(ctx.user.id, ctx.streamSignal)) yield tracked(String(alert.id), alert);
  }),
});
