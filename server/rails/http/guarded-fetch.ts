/**
 * The one way the agent fetches a URL it did not write itself. Only http(s); the host is resolved
 * once per request (every address) and refused if any address is not public, unless its origin is
 * allow-listed (the sandbox market on 127.0.0.1); the connection is pinned to the address that was
 * checked, so a second DNS answer (rebinding) cannot move it; the response is bounded in size and
 * time. Redirects are returned as they are, or followed within the same origin only, so credentials
 * never leave it.
 *
 * Connections are kept alive and reused, pooled per pinned destination (pinned-agents.ts): a
 * request reuses a socket only if its host was just checked and pinned to the address that socket
 * is connected to. Without reuse every paid call would pay a TCP (and TLS) handshake per request.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { firstRefusedAddress, systemResolve, type AddressClass, type ResolvedAddress } from './address-policy';
import { createPinnedAgents, DEFAULT_PINNED_AGENTS, pinnedLookup, type PinnedAgents, type PinnedAgentsOptions } from './pinned-agents';

export type { ResolvedAddress };

export interface GuardedFetchOptions {
  /** Origins (`http://127.0.0.1:4021`) whose addresses are not checked; still pinned and bounded. */
  allowedOrigins?: readonly string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  /** All addresses of a host name; injectable for tests. Defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Keep-alive pool bounds (per pinned destination). */
  pool?: Partial<PinnedAgentsOptions>;
}

export interface GuardedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** `manual` (default): a 3xx is returned as is. `same_origin`: followed while it stays on the origin. */
  redirect?: 'manual' | 'same_origin';
  /** A tighter bound than the fetch's own for this one request (a provider refund's short wait); never looser. */
  timeoutMs?: number;
}

export interface GuardedResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The URL that answered, after any redirects. */
  url: string;
  text(): string;
}

export type GuardedFetchRefusal =
  | 'invalid_url'
  | 'unsupported_protocol'
  | 'credentials_in_url'
  | 'dns_failed'
  | 'blocked_address'
  | 'connection_failed'
  | 'timeout'
  | 'response_too_large'
  | 'cross_origin_redirect'
  | 'too_many_redirects';

export type GuardedFetchResult =
  | { ok: true; response: GuardedResponse }
  | { ok: false; reason: GuardedFetchRefusal; detail: string; addressClass?: AddressClass };

export type GuardedFetch = (url: string, request?: GuardedRequest) => Promise<GuardedFetchResult>;

/** A guarded fetch with its connection pool. */
export type PooledGuardedFetch = GuardedFetch & {
  /** Closes every pooled connection; later calls open new ones. */
  close(): void;
};

const DEFAULTS = { timeoutMs: 15_000, maxResponseBytes: 1024 * 1024, maxRedirects: 3 };

const PUBLIC_ONLY: ReadonlySet<AddressClass> = new Set(['public']);

export function createGuardedFetch(options: GuardedFetchOptions = {}): PooledGuardedFetch {
  const config = { ...DEFAULTS, ...options };
  const allowed = new Set((options.allowedOrigins ?? []).map((origin) => new URL(origin).origin));
  const resolve = options.resolve ?? systemResolve;
  const pool = createPinnedAgents({ ...DEFAULT_PINNED_AGENTS, ...options.pool });

  const guardedFetch: GuardedFetch = async (url, request = {}) => {
    const deadline = Date.now() + Math.min(config.timeoutMs, request.timeoutMs ?? config.timeoutMs);
    let current = url;
    let method = (request.method ?? 'GET').toUpperCase();
    let body = request.body;
    for (let redirects = 0; ; redirects++) {
      const target = checkUrl(current);
      if (!target.ok) return target;
      const pinned = await pinAddress(target.url, allowed, resolve);
      if (!pinned.ok) return pinned;
      const answer = await sendPinned(pool, target.url, pinned.address, { method, headers: request.headers ?? {}, body }, {
        deadline,
        maxResponseBytes: config.maxResponseBytes,
      });
      if (!answer.ok || request.redirect !== 'same_origin') return answer;
      const location = answer.response.headers.get('location');
      if (answer.response.status < 300 || answer.response.status > 399 || !location) return answer;

      let next: URL;
      try {
        next = new URL(location, target.url);
      } catch {
        return { ok: false, reason: 'invalid_url', detail: `bad redirect location ${location}` };
      }
      if (next.origin !== target.url.origin) {
        return { ok: false, reason: 'cross_origin_redirect', detail: `${target.url.origin} -> ${next.origin}` };
      }
      if (redirects + 1 > config.maxRedirects) return { ok: false, reason: 'too_many_redirects', detail: current };
      // 307/308 repeat the request as it was; the others become a GET without body (RFC 9110 15.4).
      if (answer.response.status !== 307 && answer.response.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      current = next.href;
    }
  };
  return Object.assign(guardedFetch, { close: () => pool.destroy() });
}

type Checked<T> = ({ ok: true } & T) | Extract<GuardedFetchResult, { ok: false }>;

function checkUrl(raw: string): Checked<{ url: URL }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid_url', detail: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'unsupported_protocol', detail: url.protocol };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials_in_url', detail: url.host };
  return { ok: true, url };
}

async function pinAddress(
  url: URL,
  allowed: ReadonlySet<string>,
  resolve: (hostname: string) => Promise<ResolvedAddress[]>,
): Promise<Checked<{ address: ResolvedAddress }>> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    return { ok: false, reason: 'dns_failed', detail: error instanceof Error ? error.message : String(error) };
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: 'dns_failed', detail: `no address for ${hostname}` };
  const refused = allowed.has(url.origin) ? null : firstRefusedAddress(addresses, PUBLIC_ONLY);
  if (refused) return { ok: false, reason: 'blocked_address', detail: `${hostname} resolves to ${refused.address}`, addressClass: refused.addressClass };
  return { ok: true, address: first };
}

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/**
 * Safe methods (RFC 9110 9.2.1): resent on a fresh connection. PUT and DELETE are idempotent too,
 * but a paid request may be metered per call, so only requests that change nothing are repeated.
 */
const RESENDABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sends over a pooled connection to the pinned address. A kept-alive connection the server closed
 * while it sat idle fails before any answer; a safe request is then sent once more on a new
 * connection (to the same pinned address), as browsers do. Anything else reports the failure.
 */
async function sendPinned(
  pool: PinnedAgents,
  url: URL,
  pinned: ResolvedAddress,
  outgoing: Outgoing,
  limits: { deadline: number; maxResponseBytes: number },
): Promise<GuardedFetchResult> {
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  const port = Number(url.port) || (protocol === 'https:' ? 443 : 80);
  const agent = pool.agentFor({ protocol, address: pinned.address, family: pinned.family, port, hostname: url.hostname });
  const first = await send(url, agent, outgoing, limits);
  if (first.kind === 'result') return first.result;
  if (!RESENDABLE.has(outgoing.method)) return first.failure;
  const fresh = await send(url, agent, outgoing, limits, { freshConnection: pinned });
  return fresh.kind === 'result' ? fresh.result : fresh.failure;
}

type SendOutcome =
  | { kind: 'result'; result: GuardedFetchResult }
  /** A reused connection failed before any answer: the server had likely closed it while idle. */
  | { kind: 'stale_connection'; failure: GuardedFetchResult };

function send(
  url: URL,
  agent: http.Agent,
  outgoing: Outgoing,
  limits: { deadline: number; maxResponseBytes: number },
  retry?: { freshConnection: ResolvedAddress },
): Promise<SendOutcome> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise) => {
    let settled = false;
    let answered = false;
    const finish = (result: GuardedFetchResult, stale = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(stale ? { kind: 'stale_connection', failure: result } : { kind: 'result', result });
    };
    const request = transport.request(url, {
      method: outgoing.method,
      headers: outgoing.headers,
      // The pool's agent connects only to the pinned address. A retry takes a new, unpooled socket,
      // pinned the same way.
      ...(retry ? { agent: false, lookup: pinnedLookup(retry.freshConnection.address, retry.freshConnection.family) } : { agent }),
    });
    const timer = setTimeout(() => {
      finish({ ok: false, reason: 'timeout', detail: `no complete answer from ${url.origin} in time` });
      request.destroy();
    }, Math.max(0, limits.deadline - Date.now()));

    request.on('error', (error) =>
      finish({ ok: false, reason: 'connection_failed', detail: error.message }, request.reusedSocket && !answered && retry === undefined),
    );
    request.on('response', (response) => {
      answered = true;
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxResponseBytes) {
        finish({ ok: false, reason: 'response_too_large', detail: `declared ${declared} bytes` });
        request.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limits.maxResponseBytes) {
          finish({ ok: false, reason: 'response_too_large', detail: `over ${limits.maxResponseBytes} bytes` });
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => finish({ ok: false, reason: 'connection_failed', detail: error.message }));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        finish({
          ok: true,
          response: { status: response.statusCode ?? 0, headers: headersOf(response), body, url: url.href, text: () => body.toString('utf8') },
        });
      });
    });
    if (outgoing.body !== undefined) request.write(outgoing.body);
    request.end();
  });
}

function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] ?? '', raw[i + 1] ?? '');
    } catch {
      // A header value fetch would refuse is dropped; nothing we read depends on malformed headers.
    }
  }
  return headers;
}
