import { router } from './trpc';
import { systemRouter } from './routers/system';

export const appRouter = router({
  system: systemRouter,
});

/** The only server symbol the client may import (type-only). */
export type AppRouter = typeof appRouter;
