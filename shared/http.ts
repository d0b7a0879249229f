/**
 * The custom header every cookie-authenticated POST must carry (server/http/csrf.ts explains why):
 * a cross-site page cannot set it without a CORS preflight, which the server never grants.
 */
export const CSRF_HEADER = 'x-steward-csrf';
export const CSRF_HEADER_VALUE = '1';
