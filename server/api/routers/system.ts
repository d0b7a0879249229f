import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  /** Public facts the shell shows before sign-in: which mode the server runs in, and its version. */
  info: publicProcedure.query(({ ctx }) => ({ mode: ctx.deps.mode, version: ctx.deps.version })),
});
