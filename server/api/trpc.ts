import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { ApiContext, RateLimitBucket } from './context';
import { refusal, RefusalDetail } from './errors';

/**
 * The one tRPC instance. Errors leave the server without stacks or internal messages: an unexpected
 * error becomes a generic INTERNAL_SERVER_ERROR (logged in full on the server), a zod failure carries
 * only field messages the form can show, a domain refusal carries its name (and when to retry).
 */
const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const refused = error.cause instanceof RefusalDetail ? error.cause : null;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      code: shape.code,
      message: internal ? 'Something went wrong on our side. Please try again.' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        fieldErrors: zodError ? fieldErrorsOf(zodError) : undefined,
        reason: refused?.reason,
        retryAt: refused?.retryAt,
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

/**
 * Every procedure that touches a person's data uses `authedProcedure`: it guarantees `ctx.user` and
 * `ctx.session`, and handlers scope every read and write by `ctx.user.id`. Add each new procedure to
 * the table in server/api/authorization-matrix.test.ts (the test fails until you do).
 */
export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});

/** For operators only (dispute review and the like). */
export const operatorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'operator') throw new TRPCError({ code: 'FORBIDDEN', message: 'This is for operators only.' });
  return next();
});

/** Counts one attempt in `bucket` for the caller's address; throws `rate_limited` past the limit. */
export async function enforceRateLimit(ctx: Pick<ApiContext, 'checkRateLimit'>, bucket: RateLimitBucket): Promise<void> {
  const verdict = await ctx.checkRateLimit(bucket);
  if (!verdict.allowed) {
    throw refusal('rate_limited', { retryAt: new Date(Date.now() + verdict.retryAfterSeconds * 1000).toISOString() });
  }
}

/** Limits attempts per client address for guessable things: passwords, sign-ups, codes. */
export function rateLimited(bucket: RateLimitBucket) {
  return t.middleware(async ({ ctx, next }) => {
    await enforceRateLimit(ctx, bucket);
    return next();
  });
}
