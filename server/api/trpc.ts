import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { ApiContext } from './context';

/**
 * The one tRPC instance. Errors leave the server without stacks or internal messages: an unexpected
 * error becomes a generic INTERNAL_SERVER_ERROR (logged in full on the server), a zod failure carries
 * only field messages the form can show.
 */
const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      code: shape.code,
      message: internal ? 'Something went wrong on our side. Please try again.' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        fieldErrors: zodError ? fieldErrorsOf(zodError) : undefined,
      },
    };
  },
});

function fieldErrorsOf(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export const router = t.router;
export const middleware = t.middleware;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
