import { accountRouter, operatorRouter } from './routers/account';
import { authRouter } from './routers/auth';
import { securityRouter } from './routers/security';
import { systemRouter } from './routers/system';
import { router } from './trpc';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  account: accountRouter,
  security: securityRouter,
  operator: operatorRouter,
});

/** The only server symbol the client may import (type-only). */
export type AppRouter = typeof appRouter;
