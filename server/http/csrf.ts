import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '../../shared/http';

/**
 * CSRF defence for cookie-authenticated tRPC calls (/api/trpc/...), in three layers:
 * 1. The session cookie is SameSite=Lax, so browsers do not attach it to cross-site POSTs at all.
 * 2. Every POST must carry the custom header `x-steward-csrf: 1`. A cross-site page cannot set a custom
 *    header without a CORS preflight, and this server answers no preflight, so a forged form or
 *    fetch cannot produce it. This needs no per-session token to keep in sync.
 * 3. When the browser says where the request came from (Origin, Sec-Fetch-Site), it must be this site,
 *    on every method: a query can act too (a data export is audited and counted against the person's
 *    limit), and Lax still sends the cookie on a top-level navigation from any site and on a fetch from
 *    a sibling subdomain (same-site). The app's own requests, SSE streams included, are same-origin.
 * tRPC only runs queries on GET and refuses mutations on GET.
 */
export function csrfRefusal(request: FastifyRequest, publicOrigin: string): string | null {
  if (request.method === 'POST' && request.headers[CSRF_HEADER] !== CSRF_HEADER_VALUE) return 'missing CSRF header';
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return 'cross-site request';
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const host = request.headers.host;
    const sameHost = host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
    if (!sameHost && origin !== publicOrigin) return 'foreign origin';
  }
  return null;
}

export function refuseCsrf(reply: FastifyReply, reason: string): FastifyReply {
  return reply.status(403).send({ error: `Forbidden: ${reason}` });
}
