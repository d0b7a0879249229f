/**
 * DNS rebinding against an own wallet's relay: the name passes the check when the string is pasted
 * and later resolves to loopback or the cloud metadata address. Every socket to an own wallet's relay
 * must be checked when it connects, and connect to the address checked; the operator's wallets (the
 * sandbox relay on loopback) connect as before. The relay sits behind a counting TCP proxy on
 * 127.0.0.1, reached as `localhost`, so a connection that got past the guard would show up there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../rails/http/address-policy';
import { nwcWalletOpener, openNwcWallet, type NwcWallet, type NwcWalletTimeouts } from '../rails/nwc/nwc-wallet';
import type { RelayAddressRefused } from '../rails/nwc/relay-guard';
import { createRelayCheck } from '../rails/nwc/relay-policy';
import type { WalletPort } from '../domain/ports/wallet';
import { LightningNetwork } from '../sandbox/lightning';
import { startRelay, type RunningRelay } from '../sandbox/relay/relay';
import { SandboxWallets } from '../sandbox/wallets';

const FAST: NwcWalletTimeouts = { payMs: 1_500, otherMs: 3_000 };
const PUBLIC_ADDRESS = '93.184.216.34';

interface CountingProxy {
  port: number;
  /** TCP connections that reached the listener. */
  connections: () => number;
  /** Drops every open connection, so the client must reconnect. */
  cut: () => void;
  close: () => Promise<void>;
}

async function startProxy(targetPort: number): Promise<CountingProxy> {
  let connections = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    cut: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A resolver whose answer for every name the test changes between connects (the rebinding). */
function rebindingResolver(first: string) {
  let answer = first;
  return {
    resolve: async (hostname: string): Promise<ResolvedAddress[]> => [{ address: hostname === '127.0.0.1' ? hostname : answer, family: 4 }],
    rebindTo: (address: string) => {
      answer = address;
    },
  };
}

const withRelay = (connectionString: string, relayUrl: string) =>
  connectionString.replace(/relay=[^&]+/, `relay=${encodeURIComponent(relayUrl)}`);

describe('own wallet relays under the address policy at every connect', () => {
  let dir: string;
  let db: Database.Database;
  let relay: RunningRelay;
  let wallets: SandboxWallets;
  let proxy: CountingProxy;
  let sandboxUrl: string;
  let viaLocalhost: string;
  const opened: WalletPort[] = [];
  const keep = <T extends WalletPort>(wallet: T): T => {
    opened.push(wallet);
    return wallet;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-relay-guard-'));
    db = new Database(join(dir, 'sandbox.db'));
    relay = await startRelay();
    const network = new LightningNetwork(db, { fees: { baseMsat: 0, proportionalPpm: 0 } });
    network.ensureNode('guest', { initialBalanceMsat: 1_000_000 });
    wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
    proxy = await startProxy(Number(new URL(relay.url).port));
    sandboxUrl = await wallets.connect('guest', 'guest');
    viaLocalhost = withRelay(sandboxUrl, `ws://localhost:${proxy.port}`);
  });
  afterEach(() => {
    for (const wallet of opened.splice(0)) wallet.close();
  });
  afterAll(async () => {
    await proxy.close();
    wallets.close();
    await relay.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openGuarded(resolve: (hostname: string) => Promise<ResolvedAddress[]>, allowLoopback: boolean) {
    const refusals: RelayAddressRefused[] = [];
    const result = openNwcWallet(viaLocalhost, { timeouts: FAST, relayGuard: { allowLoopback, resolve, onRefused: (r) => refusals.push(r) } });
    if (!result.ok) throw new Error(`connection string refused: ${result.reason}`);
    return { wallet: keep<NwcWallet>(result.wallet), refusals };
  }

  it('live: a name that was public when pasted and is loopback when the socket opens is refused before any TCP connection', async () => {
    const dns = rebindingResolver(PUBLIC_ADDRESS);
    expect(await createRelayCheck({ allowLoopback: false, resolve: dns.resolve })(viaLocalhost)).toEqual({ ok: true });
    dns.rebindTo('127.0.0.1');
    const before = proxy.connections();
    const { wallet, refusals } = openGuarded(dns.resolve, false);

    const info = await wallet.getInfo();

    expect(info).toMatchObject({ ok: false, outcome: 'unknown', reason: 'relay_not_allowed' });
    expect(!info.ok && info.message).toContain('relay_not_allowed: localhost resolves to 127.0.0.1, loopback');
    expect(refusals[0]).toMatchObject({ code: 'relay_not_allowed', hostname: 'localhost', address: '127.0.0.1', addressClass: 'loopback' });
    expect(proxy.connections()).toBe(before);
  });

  it('sandbox: the relay connects on loopback, and a reconnect that resolves to the metadata address is refused', async () => {
    const dns = rebindingResolver('127.0.0.1');
    const { wallet, refusals } = openGuarded(dns.resolve, true);
    expect(await wallet.getInfo()).toMatchObject({ ok: true, value: { network: 'regtest' } });
    const connected = proxy.connections();
    expect(connected).toBeGreaterThan(0);

    dns.rebindTo('169.254.169.254');
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const info = await wallet.getInfo();

    expect(info).toMatchObject({ ok: false, outcome: 'unknown', reason: 'relay_not_allowed' });
    expect(refusals.at(-1)).toMatchObject({ hostname: 'localhost', address: '169.254.169.254', addressClass: 'link_local' });
    expect(proxy.connections()).toBe(connected);
  });

  it("the app's opener guards own wallets only: the operator's wallet on the loopback sandbox relay connects in live mode", async () => {
    const open = nwcWalletOpener({ allowLoopback: false });
    const operator = open(sandboxUrl, 'operator');
    const own = open(sandboxUrl, 'own');
    if (!operator.ok || !own.ok) throw new Error('connection string refused');
    keep(operator.wallet);
    keep(own.wallet);

    expect(await operator.wallet.getInfo()).toMatchObject({ ok: true, value: { network: 'regtest' } });
    // An IP literal never goes through a resolver: the guard checks it before the socket exists.
    const refused = await own.wallet.getInfo();
    expect(refused).toMatchObject({ ok: false, outcome: 'unknown', reason: 'relay_not_allowed' });
    expect(!refused.ok && refused.message).toContain('relay_not_allowed: 127.0.0.1 is loopback');
  });
});
