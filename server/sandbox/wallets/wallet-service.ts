import '../websocket-global';
import { generateSecretKey, getPublicKey, type Event } from 'nostr-tools/pure';
import { NWCWalletService, NWCWalletServiceKeyPair } from '@getalby/sdk/nwc';
import type Database from 'better-sqlite3';
import type { LightningNetwork } from '../lightning';
import { ConnectionStore, type WalletConnection } from './connection-store';
import { budgetOf, createRequestHandler, SUPPORTED_METHODS } from './request-handler';

export interface SandboxWalletsOptions {
  db: Database.Database;
  network: LightningNetwork;
  relayUrl: string;
  now?: () => number;
}

type Pool = NWCWalletService['pool'];
const NWC_REQUEST_KIND = 23194;
const NWC_RESPONSE_KIND = 23195;

/**
 * Every sandbox wallet, reachable over NIP-47 through @getalby/sdk's NWCWalletService on the
 * sandbox relay. Each connection has its own wallet-service keypair and client secret, both kept in
 * the sandbox database so connection URLs survive restarts (the relay part changes if its port does).
 *
 * What the 8.0.3 wallet service does not do is added around it, by wrapping its relay pool:
 * requests are handled at most once per event id (a republished request gets the saved response
 * again and can never pay twice), and a request whose NIP-47 `expiration` tag has passed is ignored.
 * get_budget (which the sdk's service cannot route to a handler) is answered here too.
 */
export class SandboxWallets {
  private readonly service: NWCWalletService;
  private readonly store: ConnectionStore;
  private readonly unsubscribes: (() => void)[] = [];
  /** Connections being created, so a concurrent call for the same label waits until it is served. */
  private readonly creating = new Map<string, Promise<string>>();
  private readonly now: () => number;

  private constructor(private readonly options: SandboxWalletsOptions) {
    this.now = options.now ?? Date.now;
    this.store = new ConnectionStore(options.db, () => this.nowSec());
    this.service = new NWCWalletService({ relayUrls: [options.relayUrl] });
    this.makeIdempotent(this.service.pool);
  }

  /** Starts answering on every connection stored so far. */
  static async start(options: SandboxWalletsOptions): Promise<SandboxWallets> {
    const wallets = new SandboxWallets(options);
    for (const connection of wallets.store.all()) await wallets.serve(connection);
    return wallets;
  }

  /**
   * The connection URL for `label`, creating the connection (on node `nodeName`, with an optional
   * lifetime budget) the first time. Later calls return the stored one unchanged.
   */
  async connect(label: string, nodeName: string, options: { budgetMsat?: number } = {}): Promise<string> {
    // In flight first: the row is stored before the connection is served, and a caller must not
    // get a URL whose requests nobody listens for yet.
    const inFlight = this.creating.get(label);
    if (inFlight) return inFlight;
    const existing = this.store.byLabel(label);
    if (existing) return this.urlFor(existing);
    const created = this.create(label, nodeName, options.budgetMsat ?? null).finally(() => this.creating.delete(label));
    this.creating.set(label, created);
    return created;
  }

  /** label -> connection URL, for every connection. */
  urls(): Record<string, string> {
    return Object.fromEntries(this.store.all().map((connection) => [connection.label, this.urlFor(connection)]));
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.service.close();
  }

  private async create(label: string, nodeName: string, budgetMsat: number | null): Promise<string> {
    if (!this.options.network.node(nodeName)) throw new Error(`unknown lightning node ${nodeName}`);
    const walletSecret = generateSecretKey();
    const clientSecret = generateSecretKey();
    const connection: WalletConnection = {
      walletPubkey: getPublicKey(walletSecret),
      walletSecretHex: Buffer.from(walletSecret).toString('hex'),
      clientSecretHex: Buffer.from(clientSecret).toString('hex'),
      clientPubkey: getPublicKey(clientSecret),
      nodeName,
      label,
      budgetMsat,
    };
    this.store.add(connection);
    await this.serve(connection);
    return this.urlFor(connection);
  }

  private async serve(connection: WalletConnection): Promise<void> {
    const node = this.options.network.node(connection.nodeName);
    if (!node) throw new Error(`connection ${connection.label} points at missing node ${connection.nodeName}`);
    const handler = createRequestHandler({
      connection,
      node,
      store: this.store,
      feeFor: (amountMsat) => this.options.network.feeFor(amountMsat),
      nowSec: () => this.nowSec(),
    });
    const keypair = new NWCWalletServiceKeyPair(connection.walletSecretHex, connection.clientPubkey);
    this.unsubscribes.push(await this.service.subscribe(keypair, handler));
    // Publishing after subscribing doubles as a barrier: both go over the one relay socket, REQ
    // first, so once the relay has answered OK to the info event it has the subscription too and a
    // request published from now on reaches this connection.
    await this.service.publishWalletServiceInfoEvent(connection.walletSecretHex, SUPPORTED_METHODS, []);
  }

  private urlFor(connection: WalletConnection): string {
    const relay = encodeURIComponent(this.options.relayUrl);
    return `nostr+walletconnect://${connection.walletPubkey}?relay=${relay}&secret=${connection.clientSecretHex}`;
  }

  private makeIdempotent(pool: Pool): void {
    const subscribe = pool.subscribe.bind(pool);
    const publish = pool.publish.bind(pool);
    pool.subscribe = (relays, filter, params) =>
      subscribe(relays, filter, {
        ...params,
        onevent: (event: Event) => {
          if (event.kind !== NWC_REQUEST_KIND) return params.onevent?.(event);
          if (this.isExpired(event)) return;
          const walletPubkey = event.tags.find((tag) => tag[0] === 'p')?.[1] ?? '';
          if (this.store.claimRequest(event.id, walletPubkey)) {
            void this.answerBudgetOr(event, () => params.onevent?.(event));
            return;
          }
          // A republished request: answer again with the saved response; if it is still being
          // handled, its one response is on its way.
          const saved = this.store.savedResponse(event.id);
          if (saved) void Promise.allSettled(publish(relays, JSON.parse(saved) as Event));
        },
      });
    pool.publish = (relays, event, params) => {
      const requestId = event.kind === NWC_RESPONSE_KIND ? event.tags.find((tag) => tag[0] === 'e')?.[1] : undefined;
      if (requestId) this.store.saveResponse(requestId, JSON.stringify(event));
      return publish(relays, event, params);
    };
  }

  /**
   * Answers get_budget here (the sdk's service would say NOT_IMPLEMENTED); every other request goes
   * on to the sdk's handler via `delegate`.
   */
  private async answerBudgetOr(event: Event, delegate: () => unknown): Promise<void> {
    const connection = this.store.byWalletPubkey(event.tags.find((tag) => tag[0] === 'p')?.[1] ?? '');
    if (!connection) return void delegate();
    const keypair = new NWCWalletServiceKeyPair(connection.walletSecretHex, connection.clientPubkey);
    const encryption = event.tags.find((tag) => tag[0] === 'encryption')?.[1] === 'nip44_v2' ? 'nip44_v2' : 'nip04';
    let method: unknown;
    try {
      method = (JSON.parse(await this.service.decrypt(keypair, event.content, encryption)) as { method?: unknown }).method;
    } catch {
      return void delegate(); // the sdk reports what it cannot decrypt
    }
    if (method !== 'get_budget') return void delegate();
    const content = JSON.stringify({ result_type: 'get_budget', result: budgetOf(connection, this.store), error: null });
    const response = await this.service.signEvent(
      {
        kind: NWC_RESPONSE_KIND,
        created_at: this.nowSec(),
        tags: [
          ['e', event.id],
          ['p', connection.clientPubkey],
        ],
        content: await this.service.encrypt(keypair, content, encryption),
      },
      connection.walletSecretHex,
    );
    await Promise.any(this.service.pool.publish(this.service.relayUrls, response));
  }

  /** NIP-47: a request carrying an `expiration` tag in the past must not be acted on. */
  private isExpired(event: Event): boolean {
    const expiration = Number(event.tags.find((tag) => tag[0] === 'expiration')?.[1]);
    return Number.isFinite(expiration) && expiration <= this.nowSec();
  }

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
  }
}
