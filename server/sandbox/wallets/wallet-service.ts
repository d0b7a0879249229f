import '../websocket-global';
import { generateSecretKey, getPublicKey, type Event } from 'nostr-tools/pure';
import { NWCWalletService, NWCWalletServiceKeyPair, type Nip47SingleMethod, type NWCWalletServiceResponse } from '@getalby/sdk/nwc';
import type Database from 'better-sqlite3';
import type { LightningNetwork } from '../lightning';
import { ConnectionStore, type WalletConnection } from './connection-store';
import { grantFor } from './create-connection';
import { budgetOf, createRequestHandler, fail, restrictTo, SUPPORTED_METHODS } from './request-handler';

export interface SandboxWalletsOptions {
  db: Database.Database;
  network: LightningNetwork;
  relayUrl: string;
  now?: () => number;
  /**
   * Labels of the connections that may make connections over NIP-47 `create_connection` (the stack:
   * `treasury`, as an operator's Alby Hub connection would be allowed to).
   */
  connectionCreators?: readonly string[];
}

type Pool = NWCWalletService['pool'];
const NWC_REQUEST_KIND = 23194;
const NWC_RESPONSE_KIND = 23195;

/**
 * A response's publishes, each resolving with the relay's answer or why it failed, never rejecting.
 * The 8.0.3 wallet service publishes a response with `Promise.any(pool.publish(...))` and handles
 * neither outcome: a relay that does not acknowledge in time would reject it unhandled, which ends the
 * process the sandbox runs in (the app's, in sandbox mode). A response lost so costs nothing more than
 * the client's timeout: a republished request gets the saved response (makeIdempotent).
 */
function settledQuietly(publishes: Promise<string>[]): Promise<string>[] {
  return publishes.map((published) => published.catch((error: unknown) => `not acknowledged: ${error instanceof Error ? error.message : String(error)}`));
}

/**
 * Every sandbox wallet, reachable over NIP-47 through @getalby/sdk's NWCWalletService on the
 * sandbox relay. Each connection has its own wallet-service keypair and client secret, both kept in
 * the sandbox database so connection URLs survive restarts (the relay part changes if its port does).
 *
 * What the 8.0.3 wallet service does not do is added around it, by wrapping its relay pool:
 * requests are handled at most once per event id (a republished request gets the saved response
 * again and can never pay twice), and a request whose NIP-47 `expiration` tag has passed is ignored.
 * get_budget and create_connection (which the sdk's service cannot route to a handler) are answered
 * here too (create-connection.ts).
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

  /**
   * label -> connection URL, for every connection the sandbox made itself (one made over
   * create_connection has a secret only its client knows).
   */
  urls(): Record<string, string> {
    const own = this.store.all().filter((connection) => connection.clientSecretHex !== '');
    return Object.fromEntries(own.map((connection) => [connection.label, this.urlFor(connection)]));
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
      requestMethods: null,
    };
    this.store.add(connection);
    await this.serve(connection);
    return this.urlFor(connection);
  }

  private async serve(connection: WalletConnection): Promise<void> {
    const node = this.options.network.node(connection.nodeName);
    if (!node) throw new Error(`connection ${connection.label} points at missing node ${connection.nodeName}`);
    const methods = this.methodsOf(connection);
    const handler = createRequestHandler({
      connection,
      methods,
      node,
      store: this.store,
      feeFor: (amountMsat) => this.options.network.feeFor(amountMsat),
      nowSec: () => this.nowSec(),
    });
    const keypair = new NWCWalletServiceKeyPair(connection.walletSecretHex, connection.clientPubkey);
    this.unsubscribes.push(await this.service.subscribe(keypair, restrictTo(handler, methods)));
    // Publishing after subscribing doubles as a barrier: both go over the one relay socket, REQ
    // first, so once the relay has answered OK to the info event it has the subscription too and a
    // request published from now on reaches this connection. A relay too busy to answer in time
    // (the sdk gives it 4.4 s) still has both in order on that socket, and the connection is stored
    // (a new wallet funded): failing here would report as not made a wallet that was made.
    await this.service.publishWalletServiceInfoEvent(connection.walletSecretHex, methods, []).catch(() => undefined);
  }

  /** What the connection may call: what create_connection granted it, else everything (plus making connections, for a creator). */
  private methodsOf(connection: WalletConnection): Nip47SingleMethod[] {
    if (connection.requestMethods !== null) return SUPPORTED_METHODS.filter((method) => connection.requestMethods?.includes(method));
    const creator = this.options.connectionCreators?.includes(connection.label) ?? false;
    return creator ? [...SUPPORTED_METHODS, 'create_connection'] : [...SUPPORTED_METHODS];
  }

  /**
   * A new connection for the client key the request names; an isolated one gets its own node (a
   * sub-wallet with its own balance), otherwise it spends from the requester's node.
   */
  private async createConnection(requester: WalletConnection, params: unknown): Promise<NWCWalletServiceResponse<{ wallet_pubkey: string }>> {
    if (!this.methodsOf(requester).includes('create_connection')) return fail('RESTRICTED', 'this connection may not create connections');
    const granted = grantFor(params, SUPPORTED_METHODS);
    if (!granted.ok) return fail(granted.code, granted.message);
    const { grant } = granted;
    if (this.store.all().some((connection) => connection.clientPubkey === grant.clientPubkey)) {
      return fail('BAD_REQUEST', 'a connection for this client key already exists');
    }
    const walletSecret = generateSecretKey();
    const walletPubkey = getPublicKey(walletSecret);
    const nodeName = grant.isolated ? `app:${walletPubkey}` : requester.nodeName;
    if (grant.isolated) this.options.network.ensureNode(nodeName, { initialBalanceMsat: 0 });
    const connection: WalletConnection = {
      walletPubkey,
      walletSecretHex: Buffer.from(walletSecret).toString('hex'),
      clientSecretHex: '', // generated by the client, which keeps it: NIP-47's rule, unlike our own connections
      clientPubkey: grant.clientPubkey,
      nodeName,
      label: `app:${walletPubkey}`,
      budgetMsat: grant.budgetMsat,
      requestMethods: grant.requestMethods,
    };
    this.store.add(connection);
    await this.serve(connection);
    return { result: { wallet_pubkey: walletPubkey }, error: undefined };
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
            void this.answerOwnMethodsOr(event, () => params.onevent?.(event));
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
      if (!requestId) return publish(relays, event, params);
      this.store.saveResponse(requestId, JSON.stringify(event));
      return settledQuietly(publish(relays, event, params));
    };
  }

  /**
   * Answers get_budget and create_connection here (the sdk's service would say NOT_IMPLEMENTED); every
   * other request goes on to the sdk's handler via `delegate`.
   */
  private async answerOwnMethodsOr(event: Event, delegate: () => unknown): Promise<void> {
    const connection = this.store.byWalletPubkey(event.tags.find((tag) => tag[0] === 'p')?.[1] ?? '');
    if (!connection) return void delegate();
    const keypair = new NWCWalletServiceKeyPair(connection.walletSecretHex, connection.clientPubkey);
    const encryption = event.tags.find((tag) => tag[0] === 'encryption')?.[1] === 'nip44_v2' ? 'nip44_v2' : 'nip04';
    let request: { method?: unknown; params?: unknown };
    try {
      request = JSON.parse(await this.service.decrypt(keypair, event.content, encryption)) as typeof request;
    } catch {
      return void delegate(); // the sdk reports what it cannot decrypt
    }
    let answer: NWCWalletServiceResponse<unknown>;
    if (request.method === 'get_budget') answer = { result: budgetOf(connection, this.store), error: undefined };
    else if (request.method === 'create_connection') answer = await this.createConnection(connection, request.params);
    else return void delegate();
    const content = JSON.stringify({ result_type: request.method, result: answer.result ?? null, error: answer.error ?? null });
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
