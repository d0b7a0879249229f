import './websocket-global';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchWithL402 } from '@getalby/lightning-tools/402/l402';
import { NWCClient } from '@getalby/sdk/nwc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from './market';
import { SAMPLE_INPUTS } from './market/sample-inputs';
import { GUEST_INITIAL_BALANCE_MSAT, startSandbox, type RunningSandbox } from './stack';

const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

interface ConnectionsFile {
  relayUrl: string;
  marketUrl: string;
  stripeUrl: string;
  wallets: Record<string, string>;
}
const readConnections = (dataDir: string) =>
  JSON.parse(readFileSync(join(dataDir, 'connections.json'), 'utf8')) as ConnectionsFile;

describe('sandbox stack with third-party clients', () => {
  let dataDir: string;
  let sandbox: RunningSandbox;
  let guest: NWCClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-sandbox-'));
    sandbox = await startSandbox({ dataDir });
    guest = new NWCClient({ nostrWalletConnectUrl: readConnections(dataDir).wallets.guest });
  });
  afterAll(async () => {
    guest.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes connections.json (0600) with the URLs and a funded guest wallet', async () => {
    const file = readConnections(dataDir);
    expect(statSync(join(dataDir, 'connections.json')).mode & 0o777).toBe(0o600);
    expect(file).toMatchObject({ relayUrl: sandbox.relayUrl, marketUrl: sandbox.marketUrl, stripeUrl: sandbox.stripeUrl });
    expect(Object.keys(file.wallets)).toEqual(expect.arrayContaining(['guest', 'treasury', 'provider:satoshi-jokes']));
    expect(file.wallets.guest).toMatch(/^nostr\+walletconnect:\/\/[0-9a-f]{64}\?relay=.+&secret=[0-9a-f]{64}$/);
    expect((await guest.getInfo()).network).toBe('regtest');
    expect((await guest.getBalance()).balance).toBe(GUEST_INITIAL_BALANCE_MSAT);
  });

  it.each(SERVICES.map((service) => service.name))(
    'buys %s with fetchWithL402 over NWC: price + fee moved once, token reused without paying',
    async (name) => {
      const service = SERVICES.find((s) => s.name === name);
      const input = SAMPLE_INPUTS[name];
      if (!service || !input) throw new Error(`no sample input for ${name}`);
      const parsed = service.parse(service.method === 'GET' ? stringValues(input) : input);
      if (!parsed.ok) throw new Error(`sample input for ${name} is invalid`);
      const priceMsat = service.priceMsat(parsed.request.usage, Date.now());
      const feeMsat = sandbox.network.feeFor(priceMsat);
      const provider = sandbox.network.node(`provider:${service.providerId}`);
      if (!provider) throw new Error(`no node for ${service.providerId}`);

      const url = new URL(service.path, sandbox.marketUrl);
      const init: RequestInit = { method: service.method };
      if (service.method === 'GET') for (const [k, v] of Object.entries(stringValues(input))) url.searchParams.set(k, v);
      else Object.assign(init, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });

      const guestBefore = (await guest.getBalance()).balance;
      const providerBefore = provider.balanceMsat();
      const response = await fetchWithL402(url.toString(), { ...init }, { wallet: guest });
      expect(response.status).toBe(200);
      await response.json();
      const payment = response.payment;
      if (!payment?.paid || !payment.preimage) throw new Error('expected a paid response with a preimage');

      const paymentHash = sha256Hex(payment.preimage);
      const sent = await guest.lookupInvoice({ payment_hash: paymentHash });
      expect(sent).toMatchObject({ type: 'outgoing', state: 'settled', amount: priceMsat, fees_paid: feeMsat });
      expect((await guest.getBalance()).balance).toBe(guestBefore - priceMsat - feeMsat);
      expect(provider.balanceMsat()).toBe(providerBefore + priceMsat);

      const again = await fetchWithL402(url.toString(), { ...init }, { wallet: guest, credentials: payment.credentials });
      expect(again.status).toBe(200);
      expect(again.payment?.paid ?? false).toBe(false);
      expect((await guest.getBalance()).balance).toBe(guestBefore - priceMsat - feeMsat);
    },
  );

  it('creates a user wallet once, funded once, listed in connections.json', async () => {
    const url = await sandbox.createUserWallet('alice', { initialBalanceMsat: 5_000 });
    expect(await sandbox.createUserWallet('alice', { initialBalanceMsat: 9_999_000 })).toBe(url);
    expect(readConnections(dataDir).wallets['user:alice']).toBe(url);
    const alice = new NWCClient({ nostrWalletConnectUrl: url });
    try {
      expect((await alice.getBalance()).balance).toBe(5_000);
    } finally {
      alice.close();
    }
  });
});

describe('sandbox stack restart', () => {
  it('keeps balances, wallet keys and unpaid invoices across a restart of the whole stack', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-sandbox-restart-'));
    try {
      let sandbox = await startSandbox({ dataDir });
      let wallets = readConnections(dataDir).wallets;
      let provider = new NWCClient({ nostrWalletConnectUrl: wallets['provider:skycast'] });
      let guest = new NWCClient({ nostrWalletConnectUrl: wallets.guest });
      const paid = await provider.makeInvoice({ amount: 4_000, description: 'paid before restart' });
      await guest.payInvoice({ invoice: paid.invoice });
      const unpaid = await provider.makeInvoice({ amount: 3_000, description: 'paid after restart', expiry: 3600 });
      const balances = { guest: (await guest.getBalance()).balance, provider: (await provider.getBalance()).balance };
      const keysOf = (url: string | undefined) => NWCClient.parseWalletConnectUrl(url ?? '');
      const guestKeys = keysOf(wallets.guest);
      const urlsBefore = { relay: sandbox.relayUrl, market: sandbox.marketUrl, stripe: sandbox.stripeUrl };
      const guestUrlBefore = wallets.guest;
      guest.close();
      provider.close();
      await sandbox.close();

      sandbox = await startSandbox({ dataDir });
      wallets = readConnections(dataDir).wallets;
      expect(keysOf(wallets.guest)).toMatchObject({ walletPubkey: guestKeys.walletPubkey, secret: guestKeys.secret });
      // The freely picked ports are remembered, so a connection string stored before still works.
      expect({ relay: sandbox.relayUrl, market: sandbox.marketUrl, stripe: sandbox.stripeUrl }).toEqual(urlsBefore);
      expect(wallets.guest).toBe(guestUrlBefore);
      provider = new NWCClient({ nostrWalletConnectUrl: wallets['provider:skycast'] });
      guest = new NWCClient({ nostrWalletConnectUrl: wallets.guest });
      try {
        expect((await guest.getBalance()).balance).toBe(balances.guest); // not re-funded
        expect((await provider.getBalance()).balance).toBe(balances.provider);
        expect(await provider.lookupInvoice({ payment_hash: unpaid.payment_hash })).toMatchObject({ state: 'pending' });
        await guest.payInvoice({ invoice: unpaid.invoice });
        expect((await provider.getBalance()).balance).toBe(balances.provider + 3_000);
      } finally {
        guest.close();
        provider.close();
        await sandbox.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function stringValues(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]));
}
