import '../websocket-global';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NWCClient, Nip47WalletError } from '@getalby/sdk/nwc';
import { finalizeEvent, type Event } from 'nostr-tools/pure';
import { Relay } from 'nostr-tools/relay';
import * as nip44 from 'nostr-tools/nip44';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LightningNetwork } from '../lightning';
import { startRelay, type RunningRelay } from '../relay/relay';
import { SandboxWallets } from './wallet-service';

const SAT = 1_000;
const FEES = { baseMsat: 1_000, proportionalPpm: 10_000 };
const sha256Hex = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

describe('sandbox NWC wallets', () => {
  let dir: string;
  let db: Database.Database;
  let relay: RunningRelay;
  let network: LightningNetwork;
  let wallets: SandboxWallets;
  const clients: NWCClient[] = [];
  const client = (url: string) => {
    const created = new NWCClient({ nostrWalletConnectUrl: url });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-nwc-'));
    db = new Database(join(dir, 'sandbox.db'));
    relay = await startRelay();
    network = new LightningNetwork(db, { fees: FEES });
    network.ensureNode('guest', { initialBalanceMsat: 1_000 * SAT });
    network.ensureNode('provider');
    network.ensureNode('poor', { initialBalanceMsat: 5 * SAT });
    wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const name of ['guest', 'provider', 'poor']) network.node(name)?.setFault(null);
  });
  afterAll(async () => {
    wallets.close();
    await relay.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers get_info and get_balance (msat) on regtest', async () => {
    const guest = client(await wallets.connect('guest', 'guest'));
    const info = await guest.getInfo();
    expect(info.network).toBe('regtest');
    expect(info.pubkey).toBe(network.node('guest')?.pubkeyHex);
    expect(info.methods).toEqual(expect.arrayContaining(['pay_invoice', 'make_invoice', 'lookup_invoice', 'get_budget']));
    expect((await guest.getWalletServiceInfo()).capabilities).toEqual(expect.arrayContaining(['get_budget', 'pay_invoice']));
    expect((await guest.getBalance()).balance).toBe(network.node('guest')?.balanceMsat());
  });

  it('makes an invoice on one wallet and pays it from another: amount + fee, valid preimage', async () => {
    const guest = client(await wallets.connect('guest', 'guest'));
    const provider = client(await wallets.connect('provider', 'provider'));
    const guestBefore = (await guest.getBalance()).balance;
    const providerBefore = (await provider.getBalance()).balance;

    const invoice = await provider.makeInvoice({ amount: 50 * SAT, description: 'btc price', expiry: 600 });
    expect(invoice).toMatchObject({ type: 'incoming', state: 'pending', amount: 50 * SAT, description: 'btc price' });
    expect(invoice.invoice).toMatch(/^lnbcrt500n1/);

    const paid = await guest.payInvoice({ invoice: invoice.invoice });
    const feeMsat = FEES.baseMsat + (50 * SAT * FEES.proportionalPpm) / 1_000_000;
    expect(paid.fees_paid).toBe(feeMsat);
    expect(sha256Hex(paid.preimage)).toBe(invoice.payment_hash);
    expect((await guest.getBalance()).balance).toBe(guestBefore - 50 * SAT - feeMsat);
    expect((await provider.getBalance()).balance).toBe(providerBefore + 50 * SAT);

    const incoming = await provider.lookupInvoice({ payment_hash: invoice.payment_hash });
    expect(incoming).toMatchObject({ type: 'incoming', state: 'settled', preimage: paid.preimage });
    const outgoing = await guest.lookupInvoice({ invoice: invoice.invoice });
    expect(outgoing).toMatchObject({ type: 'outgoing', state: 'settled', fees_paid: feeMsat, amount: 50 * SAT });

    const listed = await guest.listTransactions({ type: 'outgoing', limit: 5 });
    expect(listed.transactions[0]?.payment_hash).toBe(invoice.payment_hash);
    const unpaid = await provider.makeInvoice({ amount: SAT, description: 'unpaid' });
    const withUnpaid = await provider.listTransactions({ unpaid: true });
    expect(withUnpaid.transactions.map((t) => t.payment_hash)).toContain(unpaid.payment_hash);
    const paidOnly = await provider.listTransactions({});
    expect(paidOnly.transactions.map((t) => t.payment_hash)).not.toContain(unpaid.payment_hash);
  });

  it('maps refusals to NIP-47 error codes', async () => {
    const guest = client(await wallets.connect('guest', 'guest'));
    const poor = client(await wallets.connect('poor', 'poor'));
    const providerNode = network.node('provider');
    if (!providerNode) throw new Error('provider node missing');
    const mint = (amountMsat: number) =>
      providerNode.createInvoice({ amountMsat, description: 'x', expirySeconds: 600 }).paymentRequest;

    await expectWalletError(poor.payInvoice({ invoice: mint(10 * SAT) }), 'INSUFFICIENT_BALANCE');
    const once = mint(SAT);
    await guest.payInvoice({ invoice: once });
    await expectWalletError(guest.payInvoice({ invoice: once }), 'PAYMENT_FAILED', 'already_paid');
    await expectWalletError(guest.lookupInvoice({ payment_hash: 'ab'.repeat(32) }), 'NOT_FOUND');
    network.node('guest')?.setFault({ kind: 'fail' });
    await expectWalletError(guest.payInvoice({ invoice: mint(SAT) }), 'PAYMENT_FAILED', 'route_failed');
  });

  it('answers QUOTA_EXCEEDED once a budgeted connection would pass its budget (fees included)', async () => {
    const budgeted = client(await wallets.connect('guest-budget', 'guest', { budgetMsat: 25 * SAT }));
    const providerNode = network.node('provider');
    if (!providerNode) throw new Error('provider node missing');
    const mint = (amountMsat: number) =>
      providerNode.createInvoice({ amountMsat, description: 'x', expirySeconds: 600 }).paymentRequest;
    await budgeted.payInvoice({ invoice: mint(10 * SAT) }); // 10 sat + 1.1 sat fee
    await budgeted.payInvoice({ invoice: mint(10 * SAT) }); // 22.2 sat used
    const usedMsat = 2 * (10 * SAT + network.feeFor(10 * SAT));
    expect(await budgeted.getBudget()).toEqual({ used_budget: usedMsat, total_budget: 25 * SAT, renewal_period: 'never' });
    const balanceBefore = network.node('guest')?.balanceMsat();
    await expectWalletError(budgeted.payInvoice({ invoice: mint(2 * SAT) }), 'QUOTA_EXCEEDED');
    expect(network.node('guest')?.balanceMsat()).toBe(balanceBefore);
    // The same node through an unbudgeted connection still pays.
    const guest = client(await wallets.connect('guest', 'guest'));
    expect(await guest.getBudget()).toEqual({}); // as Alby Hub answers for a connection without a budget
    await expect(guest.payInvoice({ invoice: mint(2 * SAT) })).resolves.toHaveProperty('preimage');
  });

  it('handles a republished request once, even across a restart: one payment, the same response', async () => {
    // A relay that keeps no ephemeral events delivers a republished request again, as public relays
    // do. The sdk's pool drops repeats within one subscription; across a restart of the wallet
    // service only the persisted request log stands between a retry and a second payment.
    const isolatedRelay = await startRelay();
    let service = await SandboxWallets.start({ db, network, relayUrl: isolatedRelay.url });
    const providerNode = network.node('provider');
    const guestNode = network.node('guest');
    if (!providerNode || !guestNode) throw new Error('nodes missing');
    const { paymentRequest, paymentHashHex } = providerNode.createInvoice({
      amountMsat: 7 * SAT,
      description: 'dedupe',
      expirySeconds: 600,
    });
    const raw = await RawNwc.open(await service.connect('guest', 'guest'), isolatedRelay.url);
    try {
      const request = raw.request('pay_invoice', { invoice: paymentRequest });
      const balanceBefore = guestNode.balanceMsat();
      await raw.publish(request);
      const first = await raw.nextResponse(request.id);
      expect(raw.decrypt(first)).toMatchObject({ result_type: 'pay_invoice', result: { fees_paid: expect.any(Number) } });

      service.close();
      service = await SandboxWallets.start({ db, network, relayUrl: isolatedRelay.url });
      await raw.publish(request); // the same signed event, e.g. a client retrying after a timeout
      const second = await raw.nextResponse(request.id);
      expect(second.id).toBe(first.id); // the saved response, not a new one

      expect(guestNode.balanceMsat()).toBe(balanceBefore - 7 * SAT - network.feeFor(7 * SAT));
      expect(guestNode.listTransactions().transactions.filter((t) => t.paymentHashHex === paymentHashHex)).toHaveLength(1);
    } finally {
      raw.close();
      service.close();
      await isolatedRelay.close();
    }
  });

  it('ignores a request whose expiration tag has passed, and stays silent under no_reply', async () => {
    const url = await wallets.connect('guest', 'guest');
    const providerNode = network.node('provider');
    const guestNode = network.node('guest');
    if (!providerNode || !guestNode) throw new Error('nodes missing');
    const raw = await RawNwc.open(url, relay.url);
    try {
      const stale = providerNode.createInvoice({ amountMsat: SAT, description: 'late', expirySeconds: 600 });
      const expired = raw.request('pay_invoice', { invoice: stale.paymentRequest }, Math.floor(Date.now() / 1000) - 5);
      await raw.publish(expired);
      await expect(raw.nextResponse(expired.id, 700)).rejects.toThrow('no response');
      expect(providerNode.lookup(stale.paymentHashHex)?.state).toBe('pending');

      guestNode.setFault({ kind: 'no_reply_after_settle' });
      const silent = providerNode.createInvoice({ amountMsat: SAT, description: 'silent', expirySeconds: 600 });
      const request = raw.request('pay_invoice', { invoice: silent.paymentRequest });
      await raw.publish(request);
      await expect(raw.nextResponse(request.id, 700)).rejects.toThrow('no response');
      expect(providerNode.lookup(silent.paymentHashHex)?.state).toBe('settled'); // the unknown outcome: it did pay
    } finally {
      raw.close();
    }
  });

  it('hands a racing second caller the new connection only once it is served', async () => {
    network.ensureNode('racer');
    let firstServed = false;
    const first = wallets.connect('racer', 'racer').then((url) => {
      firstServed = true;
      return url;
    });
    const second = await wallets.connect('racer', 'racer');
    expect(firstServed).toBe(true); // the second caller waited for subscribe + announce
    expect(await first).toBe(second);
  });

  it('keeps connection URLs and serves them again after a restart of the wallet service', async () => {
    const url = await wallets.connect('guest', 'guest');
    const before = wallets.urls();
    wallets.close();
    wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
    expect(wallets.urls()).toEqual(before);
    expect(await wallets.connect('guest', 'guest')).toBe(url);
    const guest = client(url);
    expect((await guest.getBalance()).balance).toBe(network.node('guest')?.balanceMsat());
  });
});

async function expectWalletError(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Nip47WalletError);
  expect((error as Nip47WalletError).code).toBe(code);
  if (message) expect((error as Nip47WalletError).message).toContain(message);
}

/** A signed NIP-47 request (nip44) from the client `secret` to the wallet `walletPubkey`. */
function nwcRequest(to: { secret: Uint8Array; walletPubkey: string }, method: string, params: object, expirationSec?: number): Event {
  const key = nip44.getConversationKey(to.secret, to.walletPubkey);
  return finalizeEvent(
    {
      kind: 23194,
      created_at: Math.floor(Date.now() / 1000),
      tags: [
        ['p', to.walletPubkey],
        ['encryption', 'nip44_v2'],
        ...(expirationSec === undefined ? [] : [['expiration', String(expirationSec)]]),
      ],
      content: nip44.encrypt(JSON.stringify({ method, params }), key),
    },
    to.secret,
  );
}

/**
 * A relay too busy to acknowledge what the wallet service publishes (its info events and responses get
 * no OK, so nostr-tools gives up on them after 4.4 s). It hands every request to every subscription.
 */
async function startSilentRelay() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const subscriptions: { socket: WebSocket; id: string }[] = [];
  const unacknowledged: Event[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const [type, ...rest] = JSON.parse(data.toString()) as [string, ...unknown[]];
      if (type === 'REQ') {
        subscriptions.push({ socket, id: String(rest[0]) });
        socket.send(JSON.stringify(['EOSE', rest[0]]));
      } else if (type === 'EVENT') {
        const event = rest[0] as Event;
        if (event.kind !== 23194) return void unacknowledged.push(event);
        socket.send(JSON.stringify(['OK', event.id, true, '']));
        for (const sub of subscriptions) sub.socket.send(JSON.stringify(['EVENT', sub.id, event]));
      }
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    unacknowledged,
    /** Sends an event as a client would (the relay acknowledges and forwards requests). */
    publish: async (event: Event) => {
      const relay = await Relay.connect(`ws://127.0.0.1:${port}`);
      await relay.publish(event);
      relay.close();
    },
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

describe('sandbox NWC wallets on a relay that does not acknowledge them', () => {
  it('still makes the wallet, and a response left unacknowledged ends nothing', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-nwc-silent-'));
    const db = new Database(join(dir, 'sandbox.db'));
    const relay = await startSilentRelay();
    const network = new LightningNetwork(db, { fees: FEES });
    network.ensureNode('guest', { initialBalanceMsat: 1_000 * SAT });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const wallets = await SandboxWallets.start({ db, network, relayUrl: relay.url });
    try {
      // The info event gets no OK: the connection is made and served all the same.
      const url = await wallets.connect('guest', 'guest');
      const { walletPubkey, secret } = NWCClient.parseWalletConnectUrl(url);
      await relay.publish(nwcRequest({ secret: Buffer.from(secret ?? '', 'hex'), walletPubkey }, 'get_balance', {}));
      await vi.waitFor(() => expect(relay.unacknowledged.some((event) => event.kind === 23195)).toBe(true), { timeout: 5_000 });
      // Past the 4.4 s nostr-tools waits for the response's OK.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      wallets.close();
      await relay.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A hand-rolled NIP-47 client, to publish the exact same signed request twice. */
class RawNwc {
  private readonly responses: Event[] = [];
  private constructor(
    private readonly relay: Relay,
    private readonly secret: Uint8Array,
    private readonly walletPubkey: string,
  ) {
    relay.subscribe([{ kinds: [23195], authors: [walletPubkey] }], {
      onevent: (event) => {
        this.responses.push(event);
      },
    });
  }

  static async open(nwcUrl: string, relayUrl: string): Promise<RawNwc> {
    const { walletPubkey, secret } = NWCClient.parseWalletConnectUrl(nwcUrl);
    if (!secret) throw new Error('url without secret');
    return new RawNwc(await Relay.connect(relayUrl), Buffer.from(secret, 'hex'), walletPubkey);
  }

  request(method: string, params: object, expirationSec?: number): Event {
    return nwcRequest({ secret: this.secret, walletPubkey: this.walletPubkey }, method, params, expirationSec);
  }

  async publish(event: Event): Promise<void> {
    await this.relay.publish(event);
  }

  /** The next response to `requestId` received since the last call. */
  async nextResponse(requestId: string, timeoutMs = 3000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.responses.findIndex(
        (e) => e.tags.some((t) => t[0] === 'e' && t[1] === requestId),
      );
      if (index >= 0) return this.responses.splice(index, 1)[0] as Event;
      if (Date.now() > deadline) throw new Error('no response');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  decrypt(event: Event): unknown {
    const key = nip44.getConversationKey(this.secret, this.walletPubkey);
    return JSON.parse(nip44.decrypt(event.content, key)) as unknown;
  }

  close(): void {
    this.relay.close();
  }
}
