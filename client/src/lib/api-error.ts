import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../server/api/router';
import { formatClock } from './format-time';

/** What a form needs from a failed call: a message, per-field messages, and the refusal's name. */
export interface ApiProblem {
  message: string;
  fieldErrors: Record<string, string>;
  reason: string | undefined;
  retryAt: string | undefined;
}

export function apiProblem(error: unknown): ApiProblem | null {
  if (!error) return null;
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    // With field errors the server's message is the short "Check the highlighted fields."
    return { message: error.message, fieldErrors: data?.fieldErrors ?? {}, reason: data?.reason, retryAt: data?.retryAt };
  }
  return { message: 'We could not reach Steward. Check your connection and try again.', fieldErrors: {}, reason: undefined, retryAt: undefined };
}

/**
 * The problem as one line, for a form that shows it above its fields: "Too many wrong codes ... Try
 * again at 14:05." with the time in the person's own zone. For input the server refused, the fields'
 * own messages ("Keep a request under 4,000 characters."), since such a form highlights no field;
 * forms that show field errors beside their fields use `fieldErrors` and show this only without them.
 */
export function describeProblem(problem: ApiProblem): string {
  const fieldMessages = Object.values(problem.fieldErrors);
  if (fieldMessages.length > 0) return fieldMessages.join(' ');
  if (!problem.retryAt) return problem.message;
  return `${problem.message} Try again at ${formatClock(problem.retryAt)}.`;
}

/** The one line to show for a failed call (null when there is none). */
export function problemText(error: unknown): string | null {
  const problem = apiProblem(error);
  return problem && describeProblem(problem);
}
