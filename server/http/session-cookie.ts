import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionCookieJar } from '../api/context';

export const SESSION_COOKIE = 'steward_session';

/**
 * The session cookie: httpOnly (scripts never see the token), SameSite=Lax (not sent on cross-site
 * POSTs), scoped to the whole site. Over HTTPS it is Secure and named with the `__Host-` prefix: a
 * browser then takes it only from this very host, for path / and without a Domain, so a sibling
 * subdomain or a plain-http answer cannot plant a same-named cookie holding the attacker's session
 * ahead of the person's (the plain name is never read there). Plain HTTP (loopback, the sandbox)
 * cannot use the prefix.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

export function readSessionToken(request: FastifyRequest, secure: boolean): string | null {
  const value = request.cookies[sessionCookieName(secure)];
  // A token is 43 base64url characters; anything else is not ours and is ignored without a lookup.
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

export function sessionCookieJar(reply: FastifyReply, secure: boolean): SessionCookieJar {
  const name = sessionCookieName(secure);
  const base = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  return {
    set: (token, expiresAt) => void reply.setCookie(name, token, { ...base, expires: expiresAt }),
    clear: () => void reply.clearCookie(name, base),
  };
}
