import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionCookieJar } from '../api/context';

export const SESSION_COOKIE = 'steward_session';

/**
 * The session cookie: httpOnly (scripts never see the token), SameSite=Lax (not sent on cross-site
 * POSTs), Secure whenever the app is served over HTTPS, scoped to the whole site.
 */
export function readSessionToken(request: FastifyRequest): string | null {
  const value = request.cookies[SESSION_COOKIE];
  // A token is 43 base64url characters; anything else is not ours and is ignored without a lookup.
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

export function sessionCookieJar(reply: FastifyReply, secure: boolean): SessionCookieJar {
  const base = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  return {
    set: (token, expiresAt) => void reply.setCookie(SESSION_COOKIE, token, { ...base, expires: expiresAt }),
    clear: () => void reply.clearCookie(SESSION_COOKIE, base),
  };
}
