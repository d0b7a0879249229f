/**
 * The custom header every cookie-authenticated POST must carry (server/http/csrf.ts explains why):
 * a cross-site page cannot set it without a CORS preflight, which the server never grants.
 */
export const CSRF_HEADER = 'x-steward-csrf';
export const CSRF_HEADER_VALUE = '1';

/**
 * The longest tRPC request URL the client sends (it splits a batch past it) and so the longest path the
 * server accepts: a batch names its procedures in the path (`/api/trpc/a.b,c.d,...?batch=1`).
 */
export const MAX_TRPC_URL_CHARS = 4_000;
