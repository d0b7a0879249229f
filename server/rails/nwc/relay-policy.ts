/**
 * The relays of a person's own NWC connection string, held to the SSRF address policy the agent's
 * fetches use (rails/http/address-policy.ts): every address each relay's host resolves to must be
 * public. The sandbox's relay listens on loopback, so sandbox mode also permits loopback.
 *
 * This check answers the person at once with a named refusal; the name may resolve elsewhere later
 * (DNS rebinding), so every socket to these relays is held to the same policy again when it connects
 * (relay-guard.ts).
 */
import type { CheckWalletRelays } from '../../domain/ports/wallet';
import { firstRefusedAddress, systemResolve, type AddressClass, type ResolvedAddress } from '../http/address-policy';
import { parseConnectionString } from './connection-string';

export interface RelayCheckOptions {
  /** Sandbox mode: the sandbox relay is on 127.0.0.1. Never in live mode. */
  allowLoopback: boolean;
  /** All addresses of a host name; injectable for tests. Defaults to the system resolver. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

/** The address classes an own wallet's relay may be on. */
export function permittedRelayClasses(allowLoopback: boolean): ReadonlySet<AddressClass> {
  return new Set(allowLoopback ? ['public', 'loopback'] : ['public']);
}

export function createRelayCheck(options: RelayCheckOptions): CheckWalletRelays {
  const resolve = options.resolve ?? systemResolve;
  const permitted = permittedRelayClasses(options.allowLoopback);
  return async (connectionString) => {
    const parsed = parseConnectionString(connectionString);
    if (!parsed.ok) return parsed;
    for (const relayUrl of parsed.connection.relayUrls) {
      const hostname = new URL(relayUrl).hostname.replace(/^\[(.*)\]$/, '$1');
      let addresses: ResolvedAddress[];
      try {
        addresses = await resolve(hostname);
      } catch {
        return { ok: false, reason: 'wallet_unreachable' };
      }
      if (addresses.length === 0) return { ok: false, reason: 'wallet_unreachable' };
      if (firstRefusedAddress(addresses, permitted)) return { ok: false, reason: 'relay_not_allowed' };
    }
    return { ok: true };
  };
}
