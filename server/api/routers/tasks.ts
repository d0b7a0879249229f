import { tracked } from '@trpc/server';
import { z } from 'zod';
import { DISPUTE_CATEGORIES } from '../../../shared/disputes';
import { unwrap } from '../errors';
import { authedProcedure, router, taskSubmitProcedure } from '../trpc';

const taskIdSchema = z.object({ taskId: z.string().min(1).max(100) });

export const tasksRouter = router({
  /** Starts a task from a chat message; its progress arrives on `onUpdate`. */
  submit: taskSubmitProcedure
    .input(z.object({ text: z.string().max(4_000, { message: 'Keep a request under 4,000 characters.' }) }))
    .mutation(({ ctx, input }) => unwrap(ctx.deps.tasks.submit(ctx.user.id, input.text)).task),

  /** The caller's tasks, newest first (the chat history). */
  list: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30), beforeMs: z.number().int().nonnegative().optional() }).default({ limit: 30 }))
    .query(({ ctx, input }) => ctx.deps.tasks.list(ctx.user.id, input)),

  get: authedProcedure.input(taskIdSchema).query(({ ctx, input }) => {
    const task = ctx.deps.tasks.get(ctx.user.id, input.taskId);
    if (!task) return unwrap({ ok: false, reason: 'task_not_found' } as const);
    return task;
  }),

  cancel: authedProcedure.input(taskIdSchema).mutation(async ({ ctx, input }) => unwrap(await ctx.deps.tasks.cancel(ctx.user.id, input.taskId)).task),

  /** Accept or dispute a paid step; a dispute opens a real one (disputes domain) with the payment's evidence. */
  judgeStep: authedProcedure
    .input(
      taskIdSchema.extend({
        stepId: z.string().min(1).max(100),
        verdict: z.enum(['accept', 'dispute']),
        complaint: z.string().trim().max(2_000).optional(),
        category: z.enum(DISPUTE_CATEGORIES).optional(),
      }),
    )
    .mutation(({ ctx, input }) => unwrap(ctx.deps.tasks.judgeStep(ctx.user.id, { ...input, openedBy: 'person' })).task),

  /**
   * Live task state: every change of the caller's tasks (or of one task), as the whole task view.
   * Tracked by task id and version, so a reconnecting client resumes without missing the latest.
   */
  onUpdate: authedProcedure
    .input(z.object({ taskId: z.string().min(1).max(100).optional(), lastEventId: z.string().nullish() }).default({}))
    .subscription(async function* ({ ctx, input }) {
      const userId = ctx.user.id;
      if (input.taskId) {
        const task = ctx.deps.tasks.get(userId, input.taskId);
        if (task) yield tracked(`${task.id}:${task.version}`, task);
      }
      for await (const change of ctx.deps.taskEvents.changes(userId, ctx.streamSignal)) {
        if (input.taskId && change.taskId !== input.taskId) continue;
        const task = ctx.deps.tasks.get(userId, change.taskId);
        if (task) yield tracked(`${task.id}:${task.version}`, task);
      }
    }),
});
