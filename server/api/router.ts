import { accountRouter, operatorRouter } from './routers/account';
import { activityRouter } from './routers/activity';
import { agentKeysRouter } from './routers/agent-keys';
import { alertsRouter } from './routers/alerts';
import { approvalsRouter } from './routers/approvals';
import { budgetRouter } from './routers/budget';
import { claimsRouter } from './routers/claims';
import { disputesRouter } from './routers/disputes';
import { homeRouter } from './routers/home';
import { reputationRouter } from './routers/reputation';
import { authRouter } from './routers/auth';
import { securityRouter } from './routers/security';
import { systemRouter } from './routers/system';
import { catalogRouter } from './routers/catalog';
import { tasksRouter } from './routers/tasks';
import { topUpsRouter } from './routers/topups';
import { walletRouter } from './routers/wallet';
import { router } from './trpc';

export const appRouter = router({
  tasks: tasksRouter,
  catalog: catalogRouter,
  system: systemRouter,
  auth: authRouter,
  account: accountRouter,
  security: securityRouter,
  operator: operatorRouter,
  activity: activityRouter,
  budget: budgetRouter,
  approvals: approvalsRouter,
  agentKeys: agentKeysRouter,
  alerts: alertsRouter,
  wallet: walletRouter,
  topUps: topUpsRouter,
  disputes: disputesRouter,
  home: homeRouter,
  reputation: reputationRouter,
  claims: claimsRouter,
});

/** The only server symbol the client may import (type-only). */
export type AppRouter = typeof appRouter;
