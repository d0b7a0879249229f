// The relay guard's pieces on their own: the lookup net calls for a relay socket (both of its call
// shapes), the refusal of IP literals before a socket exists, and the fail-closed hook into the sdk.
import type { LookupAddress } from 'node:dns';
import { NWCClient } from '@getalby/sdk/nwc';
import { describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../http/address-policy';
import { guardClientRelays, guardedLookup, guardedWebSocketClass, RelayAddressRefused } from './relay-guard';

const DNS: Record<string, ResolvedAddress[]> = {
  'relay.example': [
    { address: '104.21.6.1', family: 4 },
    { address: '2606:4700::6815:601', family: 6 },
  ],
  'rebind.example': [
    { address: '104.21.6.2', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
};
async function resolve(hostname: string): Promise<ResolvedAddress[]> {
  const addresses = DNS[hostname];
  if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses;
}

type Answer = { error: Error | null; address: string | LookupAddress[]; family?: number };
function lookUp(hostname: string, options: { all?: boolean; family?: number }, allowLoopback = false): Promise<Answer> {
  const lookup = guardedLookup({ allowLoopback, resolve });
  return new Promise((done) => lookup(hostname, options, (error, address, family) => done({ error, address, family })));
}

describe('guardedLookup', () => {
  it('answers net with the addresses it checked, in both call shapes', async () => {
    expect(await lookUp('relay.example', { all: true })).toEqual({ error: null, address: DNS['relay.example'], family: undefined });
    expect(await lookUp('relay.example', {})).toEqual({ error: null, address: '104.21.6.1', family: 4 });
    expect(await lookUp('relay.example', { family: 6 })).toEqual({ error: null, address: '2606:4700::6815:601', family: 6 });
  });

  it('refuses a name when any one of its addresses is not permitted, naming it', async () => {
    const { error } = await lookUp('rebind.example', { all: true });
    expect(error).toBeInstanceOf(RelayAddressRefused);
    expect(error).toMatchObject({ code: 'relay_not_allowed', hostname: 'rebind.example', address: '169.254.169.254', addressClass: 'link_local' });
  });

  it('passes a resolver failure on as it is (an unreachable relay, not a refusal)', async () => {
    const { error } = await lookUp('nowhere.invalid', {});
    expect(error).not.toBeInstanceOf(RelayAddressRefused);
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guardedWebSocketClass', () => {
  it('refuses an IP literal outside the policy before any socket exists (net skips lookup for literals)', () => {
    const refusals: RelayAddressRefused[] = [];
    const Socket = guardedWebSocketClass({ allowLoopback: false, resolve, onRefused: (r) => refusals.push(r) });
    expect(() => new Socket('ws://127.0.0.1:1')).toThrow(RelayAddressRefused);
    expect(() => new Socket('ws://[::1]:1')).toThrow('relay_not_allowed: ::1 is loopback');
    expect(() => new Socket('ws://[::ffff:10.0.0.1]:1')).toThrow(/ipv4_mapped/);
    expect(refusals.map((r) => r.addressClass)).toEqual(['loopback', 'loopback', 'ipv4_mapped']);
  });
});

describe('guardClientRelays', () => {
  const client = () => new NWCClient({ walletPubkey: 'ab'.repeat(32), relayUrls: ['wss://relay.example'], secret: 'cd'.repeat(32) });

  it("sets the guarded class on each relay the client's pool creates, before it connects", () => {
    const nwc = client();
    const Socket = guardedWebSocketClass({ allowLoopback: false, resolve });
    guardClientRelays(nwc, Socket);
    const relays = (nwc.pool as unknown as { relays: Map<string, { _WebSocket: unknown }> }).relays;
    relays.set('wss://relay.example', { _WebSocket: null });
    expect(relays.get('wss://relay.example')?._WebSocket).toBe(Socket);
  });

  it('fails closed when the sdk no longer has the shape it hooks into', () => {
    const nwc = client();
    guardClientRelays(nwc, guardedWebSocketClass({ allowLoopback: false, resolve }));
    const relays = (nwc.pool as unknown as { relays: Map<string, object> }).relays;
    expect(() => relays.set('wss://relay.example', {})).toThrow(/cannot apply/);
    const renamed = client();
    (renamed as unknown as { pool: object }).pool = {};
    expect(() => guardClientRelays(renamed, guardedWebSocketClass({ allowLoopback: false, resolve }))).toThrow(/cannot apply/);
  });
});
