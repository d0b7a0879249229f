// A pasted connection string's relays under the SSRF address policy: live mode refuses every relay that
// is not on a public address (whatever its name resolves to), sandbox mode lets loopback through.
import { describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../http/address-policy';
import { createRelayCheck } from './relay-policy';

const PUBKEY = 'ab'.repeat(32);
const SECRET = 'cd'.repeat(32);
const connection = (...relays: string[]) =>
  `nostr+walletconnect://${PUBKEY}?${relays.map((r) => `relay=${encodeURIComponent(r)}`).join('&')}&secret=${SECRET}`;

// A resolver that knows a few names; IP literals resolve to themselves as the system resolver does.
const DNS: Record<string, string[]> = {
  'relay.getalby.com': ['104.21.6.1'],
  'relay.internal.example': ['10.0.0.7'],
  'rebind.example': ['104.21.6.2', '127.0.0.1'],
};
async function resolve(hostname: string): Promise<ResolvedAddress[]> {
  if (/^[\d.]+$/.test(hostname)) return [{ address: hostname, family: 4 }];
  if (hostname.includes(':')) return [{ address: hostname, family: 6 }];
  const addresses = DNS[hostname];
  if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
  return addresses.map((address) => ({ address, family: 4 }));
}

describe('own-wallet relay check', () => {
  const live = createRelayCheck({ allowLoopback: false, resolve });
  const sandbox = createRelayCheck({ allowLoopback: true, resolve });

  it('live mode accepts a relay on a public address', async () => {
    expect(await live(connection('wss://relay.getalby.com/v1'))).toEqual({ ok: true });
  });

  it.each([
    ['loopback literal', 'ws://127.0.0.1:7000'],
    ['IPv6 loopback', 'ws://[::1]:7000'],
    ['private address by name', 'wss://relay.internal.example'],
    ['link-local metadata address', 'ws://169.254.169.254'],
    ['a name with one loopback address among public ones', 'wss://rebind.example'],
  ])('live mode refuses a relay on a %s as relay_not_allowed', async (_what, relay) => {
    expect(await live(connection(relay))).toEqual({ ok: false, reason: 'relay_not_allowed' });
  });

  it('live mode refuses when any one of several relays is internal', async () => {
    expect(await live(connection('wss://relay.getalby.com/v1', 'ws://192.168.1.10'))).toEqual({ ok: false, reason: 'relay_not_allowed' });
  });

  it('sandbox mode keeps loopback relays (the sandbox relay) but still refuses private and link-local ones', async () => {
    expect(await sandbox(connection('ws://127.0.0.1:7000'))).toEqual({ ok: true });
    expect(await sandbox(connection('wss://relay.internal.example'))).toEqual({ ok: false, reason: 'relay_not_allowed' });
    expect(await sandbox(connection('ws://169.254.169.254'))).toEqual({ ok: false, reason: 'relay_not_allowed' });
  });

  it('a relay whose name does not resolve is unreachable; a malformed string keeps its own refusal', async () => {
    expect(await live(connection('wss://nowhere.invalid'))).toEqual({ ok: false, reason: 'wallet_unreachable' });
    expect(await live('https://relay.getalby.com')).toEqual({ ok: false, reason: 'not_a_connection_string' });
  });
});
