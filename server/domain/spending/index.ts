// Spending's public surface: the only way the app pays for a step.
export { createSpending, stepIdempotencyKey, type Spending, type SpendingDeps } from './spending-service';
export type { Reapproval, SpendOutcome, SpendRefusal, SpendResult, SpendStepInput } from './types';
