/**
 * The relays of a person's own wallet held to the SSRF address policy at every connect, not only
 * when the string is pasted (relay-policy.ts). A relay name can resolve to a public address then and
 * to 127.0.0.1 or 169.254.169.254 at a later reconnect (DNS rebinding); each socket opened here
 * resolves the name once, checks every address, and connects only to the addresses it checked.
 *
 * How it reaches the sdk: @getalby/sdk 8.0.3 bundles its own copy of nostr-tools, whose relays take
 * the WebSocket class that was global when the sdk loaded (nostr-tools' `useWebSocketImplementation`
 * does not reach that copy), and its relay pool passes no implementation per client. A guarded
 * global would depend on loading before the sdk and would also guard the operator's relays (the
 * treasury, the sandbox relay), which may be internal on purpose. So each own wallet's NWCClient
 * gets the guarded class on every relay its pool creates, by instance, at open time: whatever the
 * import order and whatever global the sdk captured, no socket of that client is opened without it.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { NWCClient } from '@getalby/sdk/nwc';
import WebSocket from 'ws';
import { firstRefusedAddress, systemResolve, type AddressClass, type ResolvedAddress } from '../http/address-policy';
import { permittedRelayClasses, type RelayCheckOptions } from './relay-policy';

/** A relay connection refused because its host is (or now resolves to) an address the policy forbids. */
export class RelayAddressRefused extends Error {
  override readonly name = 'RelayAddressRefused';
  readonly code = 'relay_not_allowed';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(`relay_not_allowed: ${hostname === address ? `${address} is` : `${hostname} resolves to ${address},`} ${addressClass}`);
  }
}

export interface RelayGuardOptions extends RelayCheckOptions {
  /** Told of every refused connect (the operator's log: someone aimed a relay at an internal address). */
  onRefused?: (refusal: RelayAddressRefused) => void;
}

type Checked = { ok: true; addresses: ResolvedAddress[] } | { ok: false; refusal: RelayAddressRefused };

async function resolveChecked(hostname: string, resolve: RelayCheckOptions['resolve'], permitted: ReadonlySet<AddressClass>): Promise<Checked> {
  const addresses = await (resolve ?? systemResolve)(hostname);
  const refused = firstRefusedAddress(addresses, permitted);
  if (refused) return { ok: false, refusal: new RelayAddressRefused(hostname, refused.address, refused.addressClass) };
  return { ok: true, addresses };
}

function requestedFamily(options: LookupOptions): 0 | 4 | 6 {
  if (options.family === 4 || options.family === 'IPv4') return 4;
  if (options.family === 6 || options.family === 'IPv6') return 6;
  return 0;
}

/**
 * A `lookup` for net/tls: the socket connects to what this returns, so the addresses checked are the
 * addresses connected to, with no second resolution in between. Answers both call shapes net uses
 * (`all: true` with autoSelectFamily, a single address without).
 */
export function guardedLookup(options: RelayGuardOptions): LookupFunction {
  const permitted = permittedRelayClasses(options.allowLoopback);
  return (hostname, lookupOptions, callback) => {
    resolveChecked(hostname, options.resolve, permitted).then(
      (checked) => {
        if (!checked.ok) {
          options.onRefused?.(checked.refusal);
          callback(checked.refusal, '');
          return;
        }
        const family = requestedFamily(lookupOptions);
        const usable: LookupAddress[] = checked.addresses.filter((a) => family === 0 || a.family === family);
        const first = usable[0];
        if (!first) {
          callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (lookupOptions.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
}

/**
 * net never calls `lookup` for an IP literal, so a literal host is checked here, before any socket.
 * (The scheme is already held to ws: or wss: by parseConnectionString, which every own wallet passes.)
 */
function refusedLiteral(address: string | URL, permitted: ReadonlySet<AddressClass>): RelayAddressRefused | null {
  const hostname = new URL(address).hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(hostname);
  if (family === 0) return null;
  const refused = firstRefusedAddress([{ address: hostname, family: family === 6 ? 6 : 4 }], permitted);
  return refused ? new RelayAddressRefused(hostname, refused.address, refused.addressClass) : null;
}

/** What nostr-tools needs of a WebSocket class: it constructs one with the relay URL alone. */
export type RelaySocketClass = new (address: string | URL) => WebSocket;

/** A ws WebSocket class whose every connection goes through the policy (for one wallet's relays). */
export function guardedWebSocketClass(options: RelayGuardOptions): RelaySocketClass {
  const permitted = permittedRelayClasses(options.allowLoopback);
  const lookup = guardedLookup(options);
  return class GuardedRelaySocket extends WebSocket {
    constructor(address: string | URL) {
      const refusal = refusedLiteral(address, permitted);
      if (refusal) {
        options.onRefused?.(refusal);
        throw refusal;
      }
      // followRedirects stays off (ws's default): a redirect would be a new host this check never saw.
      super(address, [], { lookup, followRedirects: false });
    }
  };
}

/** The sdk's relay: nostr-tools' AbstractRelay reads `_WebSocket` on every connect and reconnect. */
interface SdkRelay {
  _WebSocket: unknown;
}

/**
 * The sdk pool's map of live relays, where it stores each relay it creates before connecting it
 * (ReconnectingPool.ensureRelay: `new Relay(...)`, `relays.set(url, relay)`, `relay.connect()`).
 * Setting the class on insertion therefore precedes the relay's first socket and every later one.
 */
class SocketClassSettingMap extends Map<string, SdkRelay> {
  constructor(private readonly socketClass: RelaySocketClass) {
    super();
  }

  override set(url: string, relay: SdkRelay): this {
    // Fail closed if an sdk upgrade renames the field: a relay we cannot guard never connects.
    if (!('_WebSocket' in relay)) throw new Error('@getalby/sdk relay has no _WebSocket: the relay guard cannot apply');
    relay._WebSocket = this.socketClass;
    return super.set(url, relay);
  }
}

/** Makes every relay connection of `client` use `socketClass`. Call before the client's first request. */
export function guardClientRelays(client: NWCClient, socketClass: RelaySocketClass): void {
  const pool = client.pool as unknown as { relays?: unknown };
  if (!(pool.relays instanceof Map) || pool.relays.size !== 0) {
    throw new Error('@getalby/sdk pool has no empty relay map: the relay guard cannot apply');
  }
  pool.relays = new SocketClassSettingMap(socketClass);
}
