/**
 * Keep-alive connection pools for the guarded fetch, one per pinned destination: (protocol, checked
 * address, port, TLS server name). Each pool's agent connects every socket it ever opens to its one
 * address (the agent's own `lookup` answers with it, and Node lets agent options override a
 * request's), so a pooled socket can only be reused for a request whose host was resolved, checked
 * and pinned to that same address. A host that rebinds to another address gets another pool. The
 * server name is part of the key because an HTTPS socket was verified for the name it was opened with.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export interface PinnedDestination {
  protocol: 'http:' | 'https:';
  address: string;
  family: 4 | 6;
  port: number;
  /** The URL's host name; an IP literal has no TLS server name (SNI), as Node treats it. */
  hostname: string;
}

export interface PinnedAgentsOptions {
  /** Destinations kept at once; the least recently used one beyond this is dropped. */
  maxDestinations: number;
  /** Connections per destination (requests beyond it queue, still bounded by the fetch deadline). */
  maxSocketsPerDestination: number;
  /** An idle pooled connection is closed after this long. */
  idleTimeoutMs: number;
}

export const DEFAULT_PINNED_AGENTS: PinnedAgentsOptions = { maxDestinations: 64, maxSocketsPerDestination: 16, idleTimeoutMs: 30_000 };

export interface PinnedAgents {
  agentFor(destination: PinnedDestination): http.Agent;
  /** Destinations with a pool; for tests and diagnostics. */
  readonly size: number;
  /** Closes every pooled connection, idle or busy. */
  destroy(): void;
}

/** A DNS lookup that always answers the checked address, whatever a resolver would answer now. */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export const serverNameOf = (hostname: string): string => (isIP(hostname) === 0 ? hostname : '');

export function destinationKey(destination: PinnedDestination): string {
  const { protocol, address, port, hostname } = destination;
  return JSON.stringify([protocol, address, port, protocol === 'https:' ? serverNameOf(hostname) : '']);
}

export function createPinnedAgents(options: PinnedAgentsOptions = DEFAULT_PINNED_AGENTS): PinnedAgents {
  const agents = new Map<string, http.Agent>();

  function create(destination: PinnedDestination): http.Agent {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSocketsPerDestination,
      maxFreeSockets: options.maxSocketsPerDestination,
      timeout: options.idleTimeoutMs,
      lookup: pinnedLookup(destination.address, destination.family),
    };
    return destination.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  return {
    agentFor(destination) {
      const key = destinationKey(destination);
      const agent = agents.get(key) ?? create(destination);
      // Most recently used last, so the first entry is the one to drop.
      agents.delete(key);
      agents.set(key, agent);
      for (const [oldKey, oldAgent] of agents) {
        if (agents.size <= options.maxDestinations) break;
        agents.delete(oldKey);
        // Idle sockets go now; a busy one finishes its request and then idles out.
        for (const sockets of Object.values(oldAgent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
      }
      return agent;
    },
    get size() {
      return agents.size;
    },
    destroy() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
