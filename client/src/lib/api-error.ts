import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../../server/api/router';

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
    const fieldErrors = data?.fieldErrors ?? {};
    const message = Object.keys(fieldErrors).length > 0 ? 'Please fix the highlighted fields.' : error.message;
    return { message, fieldErrors, reason: data?.reason, retryAt: data?.retryAt };
  }
  return { message: 'We could not reach Steward. Check your connection and try again.', fieldErrors: {}, reason: undefined, retryAt: undefined };
}

/** "Too many wrong codes ... Try again at 14:05." with the time in the person's own zone. */
export function describeProblem(problem: ApiProblem): string {
  if (!problem.retryAt) return problem.message;
  const at = new Date(problem.retryAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `${problem.message} Try again at ${at}.`;
}
