/**
 * The Host names the server answers to. A request naming any other host is refused (421), which stops
 * DNS rebinding: a page on attacker.example whose name is re-pointed at 127.0.0.1 reaches the server,
 * but its requests say `Host: attacker.example`, so they never reach the API or a person's cookie.
 *
 * An entry is `name:port` (that port only) or a bare name (any port: the default for tests on
 * ephemeral ports). Names are compared in lower case; IPv6 literals are written in brackets.
 */
export type AllowedHosts = readonly string[];

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** Loopback on any port: the safe default when no configuration says more. */
export const LOOPBACK_HOSTS: AllowedHosts = LOOPBACK_NAMES;

/**
 * From the configuration: the public URL's host (with its default port spelled out too, as some clients
 * send it), and the listening address and port; every loopback alias when the server listens on
 * loopback or on every interface (which includes loopback), so `localhost` and `127.0.0.1` both work.
 */
export function allowedHostsFor(config: { publicUrl: string; host: string; port: number }): AllowedHosts {
  const hosts = new Set<string>();
  const publicUrl = new URL(config.publicUrl);
  hosts.add(publicUrl.host.toLowerCase());
  if (!publicUrl.port) hosts.add(`${publicUrl.hostname.toLowerCase()}:${publicUrl.protocol === 'https:' ? 443 : 80}`);
  const listening = bracketed(config.host.toLowerCase());
  if (!WILDCARD_ADDRESSES.has(listening)) hosts.add(`${listening}:${config.port}`);
  if (isLoopback(listening) || WILDCARD_ADDRESSES.has(listening)) {
    for (const name of LOOPBACK_NAMES) hosts.add(`${name}:${config.port}`);
  }
  return [...hosts];
}

/** Whether a request's Host header names this server. A missing header is refused. */
export function isAllowedHost(hostHeader: string | undefined, allowed: AllowedHosts): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  const name = host.replace(/:\d+$/, '');
  return allowed.some((entry) => entry === host || entry === name);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
