// The first-run checklist on the Home page, shared by the server (which derives it) and the client.
import { z } from 'zod';

/** The steps, in the order the welcome shows them. */
export const ONBOARDING_STEPS = ['wallet', 'top_up', 'budget', 'two_factor', 'first_task'] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

/**
 * done: the fact is there (a funded top-up, 2FA on, a first task) or the person said so (kept the
 * default budget); skipped: the person chose to leave it for now; todo: neither.
 */
export type OnboardingStepState = 'done' | 'skipped' | 'todo';

/**
 * What a person may say about a step: skip it, take it back (undo a skip), or, for the budget, keep
 * the defaults (`done`). Every other step is done only by its fact, never by saying so.
 */
export const onboardingMarkSchema = z.object({
  step: z.enum(ONBOARDING_STEPS),
  action: z.enum(['skip', 'undo', 'done']),
});
export type OnboardingMark = z.infer<typeof onboardingMarkSchema>;
