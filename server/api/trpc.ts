import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { ApiContext, RateLimitBucket, RateLimitWho } from './context';
import { RateUnavailableError } from '../domain/ports/exchange-rate';
import { refusal, RefusalDetail } from './errors';

/** Input that fails its schema: this short sentence, with each field's own message in `data.fieldErrors`. */
export const INVALID_INPUT_MESSAGE = 'Check the highlighted fields.';

/**
 * The one tRPC instance. Errors leave the server without stacks or internal messages: an unexpected
 * error becomes a generic INTERNAL_SERVER_ERROR (logged in full on the server), a zod failure carries
 * a short sentence and the field messages the form shows beside its fields (never zod's issue dump),
 * a domain refusal carries its name (and when to retry).
 */
const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const refused = error.cause instanceof RefusalDetail ? error.cause : null;
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      code: shape.code,
      message: internal ? 'Something went wrong on our side. Please try again.' : zodError ? INVALID_INPUT_MESSAGE : shape.message,
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
 * A signed-in stream lives no longer than its session. A subscription is checked once, when it opens;
 * without this, a stream opened before "sign out everywhere" would keep delivering the person's tasks
 * and alerts. The session is watched (revocation at once, expiry within a minute): when it ends, the
 * stream stops yielding at once and closes with UNAUTHORIZED, and `ctx.streamSignal` aborts so the
 * sources the handler listens to let go. Handlers pass `ctx.streamSignal`, not the request's signal.
 */
const endStreamsWithSession = t.middleware(async ({ ctx, type, signal, next }) => {
  if (type !== 'subscription' || !ctx.session) return next({ ctx: { streamSignal: signal } });
  const { sessionId } = ctx.session;
  const sessionEnded = new AbortController();
  const streamSignal = signal ? AbortSignal.any([signal, sessionEnded.signal]) : sessionEnded.signal;
  const result = await next({ ctx: { streamSignal } });
  if (!result.ok || !isAsyncIterable(result.data)) return result;
  const watch = () => ctx.deps.accounts.sessions.watch(sessionId, () => sessionEnded.abort());
  return { ...result, data: untilEnded(result.data, { streamSignal, sessionEnded: sessionEnded.signal, watch }) };
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Yields from `source` until `streamSignal` aborts. It does not wait for the source's next value to
 * notice (a quiet source could hold a revoked stream open for hours), and it checks again after every
 * value, so nothing that arrives after the end is delivered. The session is watched only while the
 * stream is being read, so a stream that is never read holds no watch.
 */
async function* untilEnded<T>(
  source: AsyncIterable<T>,
  stream: { streamSignal: AbortSignal; sessionEnded: AbortSignal; watch: () => () => void },
): AsyncGenerator<T> {
  const stopWatching = stream.watch();
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (stream.streamSignal.aborted) resolve('aborted');
    stream.streamSignal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted' || stream.streamSignal.aborted || next.done) break;
      yield next.value;
    }
    if (stream.sessionEnded.aborted) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has ended. Please sign in again.' });
  } finally {
    stopWatching();
    // Not awaited: a source waiting for its next value finishes once it sees the aborted signal.
    iterator.return?.().catch(() => undefined);
  }
}

/**
 * A procedure that needs the BTC/USD rate (fiat figures, limits in dollars) while the feed has no fresh
 * price answers the named refusal `rate_unavailable`, not a generic internal error: the person can
 * act on it (wait), and nothing was locked at a stale price (ExchangeRatePort).
 */
const rateUnavailableAsRefusal = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof RateUnavailableError) throw refusal('rate_unavailable');
  return result;
});

/**
 * Every procedure that touches a person's data uses `authedProcedure`: it guarantees `ctx.user` and
 * `ctx.session`, and handlers scope every read and write by `ctx.user.id`. Add each new procedure to
 * the table in server/api/authorization-matrix.test.ts (the test fails until you do).
 */
export const authedProcedure = t.procedure
  .use(({ ctx, next }) => {
    if (!ctx.user || !ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
    return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
  })
  .use(endStreamsWithSession)
  .use(rateUnavailableAsRefusal);

/** For operators only (dispute review and the like). */
export const operatorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'operator') throw new TRPCError({ code: 'FORBIDDEN', message: 'This is for operators only.' });
  return next();
});

/**
 * Counts one attempt in `bucket` for the caller's address (or for `who`, a person or an account); throws
 * `refusedAs` (`rate_limited` unless said) past the limit.
 */
export async function enforceRateLimit(
  ctx: Pick<ApiContext, 'checkRateLimit'>,
  bucket: RateLimitBucket,
  who?: RateLimitWho,
  refusedAs: 'rate_limited' | 'wallet_calls_limited' = 'rate_limited',
): Promise<void> {
  const verdict = await ctx.checkRateLimit(bucket, who);
  if (!verdict.allowed) {
    throw refusal(refusedAs, { retryAt: new Date(Date.now() + verdict.retryAfterSeconds * 1000).toISOString() });
  }
}

/**
 * For procedures that take a step-up proof (`code` or `password`, to loosen the guard): a call that
 * carries one counts against the guessing limit for codes; a call without one (tightening) does not.
 * A password counts in the person's sign-in limit too (see `passwordGuessesLimited`).
 */
export const proofAttemptsLimited = t.middleware(async ({ ctx, input, next }) => {
  const proof = input as { code?: unknown; password?: unknown } | undefined;
  if (proof?.code || proof?.password) await enforceRateLimit(ctx, 'code_check');
  // A password is also a guess at the sign-in password: it counts for the person as changing it does.
  if (proof?.password && ctx.user) await enforceRateLimit(ctx, 'sign_in', { person: ctx.user.id });
  return next();
});

/**
 * For a password typed inside a session (changing it): it counts against the sign-in limit, for the
 * address as sign-in does and for the person too, since a stolen session can be used from any address.
 * Guessing through the session is then no faster than guessing at the sign-in form.
 */
export const passwordGuessesLimited = t.middleware(async ({ ctx, next }) => {
  await enforceRateLimit(ctx, 'sign_in');
  if (ctx.user) await enforceRateLimit(ctx, 'sign_in', { person: ctx.user.id });
  return next();
});

/**
 * An authed procedure whose every call counts in `bucket` for the person, not the address (a stolen
 * session may move between addresses); past the limit it is refused before its handler runs.
 */
function perPersonLimited(bucket: RateLimitBucket, refusedAs: 'rate_limited' | 'wallet_calls_limited' = 'rate_limited') {
  return authedProcedure.use(async ({ ctx, next }) => {
    await enforceRateLimit(ctx, bucket, { person: ctx.user.id }, refusedAs);
    return next();
  });
}

/** The data export. */
export const dataExportProcedure = perPersonLimited('data_export');

/**
 * For procedures that make the server talk to a person's wallet on their say-so (connect own wallet,
 * withdraw): every call counts, whether or not it carries a proof, so one session cannot have the
 * server open relay connections without end. Runs before the proof check counts a guess.
 */
export const walletConnectionProcedure = perPersonLimited('wallet_connection');

/**
 * For procedures that reach the person's wallet over NWC on every call: making an invoice
 * (`wallet_invoice`), and asking about one or about the wallet's balance (`wallet_lookup`, which the
 * Wallet page polls). One session cannot have the server call a wallet (and its relay) without end;
 * past the limit nothing reaches the wallet.
 */
export const walletCallProcedure = (bucket: 'wallet_invoice' | 'wallet_lookup') => perPersonLimited(bucket, 'wallet_calls_limited');

/** Adding a provider by URL: each call fetches a manifest from that address. */
export const providerAddProcedure = perPersonLimited('provider_add');

/** Starting a card top-up: each call creates a Stripe Checkout Session. */
export const topUpCreateProcedure = perPersonLimited('top_up_create');

/** Starting tasks: each call plans and asks providers for prices. */
export const taskSubmitProcedure = perPersonLimited('task_submit');

/** Limits attempts per client address for guessable things: passwords, sign-ups, codes. */
export function rateLimited(bucket: RateLimitBucket) {
  return t.middleware(async ({ ctx, next }) => {
    await enforceRateLimit(ctx, bucket);
    return next();
  });
}
