import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyEvent, type Event } from 'nostr-tools/pure';
import { matchFilters, type Filter } from 'nostr-tools/filter';
import { z } from 'zod';
import { EventStore } from './event-store';

export interface RelayOptions {
  host?: string;
  port?: number;
  maxRegularEvents?: number;
}

export interface RunningRelay {
  url: string;
  close(): Promise<void>;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const eventSchema = z.object({
  id: hex64,
  pubkey: hex64,
  created_at: z.number().int().nonnegative(),
  kind: z.number().int().min(0).max(65535),
  tags: z.array(z.array(z.string())),
  content: z.string(),
  sig: z.string().regex(/^[0-9a-f]{128}$/),
});
const filterSchema = z
  .object({
    ids: z.array(z.string()).optional(),
    authors: z.array(z.string()).optional(),
    kinds: z.array(z.number().int()).optional(),
    since: z.number().int().optional(),
    until: z.number().int().optional(),
    limit: z.number().int().nonnegative().optional(),
  })
  .catchall(z.array(z.string()))
  .refine((filter) => Object.keys(filter).every((key) => isKnownFilterKey(key)), {
    message: 'unknown filter field',
  });
const subscriptionId = z.string().min(1).max(64);
const clientMessageSchema = z.union([
  z.tuple([z.literal('EVENT'), z.unknown()]),
  z.tuple([z.literal('REQ'), subscriptionId], z.unknown()),
  z.tuple([z.literal('CLOSE'), subscriptionId]),
]);

const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 200;

/**
 * A small NIP-01 relay on loopback, covering what NIP-47 needs: EVENT (signature checked, OK
 * answered, duplicates answered), REQ with filters, EOSE, CLOSE and live fan-out. No maintained
 * relay library on npm fit (the candidates are pre-1.0 with few users), so this stays small and
 * leans on nostr-tools for signature checks and filter matching.
 *
 * Ephemeral events (NWC requests 23194 and replies 23195) are fanned out and never stored, as
 * NIP-01 says. That loses nothing for NIP-47 because each side subscribes before the other can
 * publish: @getalby/sdk 8.0.3's NWCClient sends its REQ for the reply (`'#e': [request id]`) on the
 * same socket before the request itself, and the sandbox wallet service waits for the relay's OK to
 * an event it publishes after subscribing (see wallets/wallet-service.ts). The wallet tests run
 * against this relay and would fail if either side missed an event.
 */
export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const store = new EventStore({
    maxRegularEvents: options.maxRegularEvents ?? 10_000,
  });
  const subscriptions = new Map<WebSocket, Map<string, Filter[]>>();
  const server = new WebSocketServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxPayload: MAX_MESSAGE_BYTES,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  server.on('connection', (socket) => {
    const own = new Map<string, Filter[]>();
    subscriptions.set(socket, own);
    socket.on('close', () => subscriptions.delete(socket));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data) => {
      handleMessage(socket, own, data.toString());
    });
  });

  function handleMessage(socket: WebSocket, own: Map<string, Filter[]>, raw: string): void {
    const parsed = clientMessageSchema.safeParse(safeJson(raw));
    if (!parsed.success) {
      send(socket, ['NOTICE', 'invalid: unrecognised message']);
      return;
    }
    const message = parsed.data;
    if (message[0] === 'EVENT') handleEvent(socket, message[1]);
    else if (message[0] === 'REQ') handleReq(socket, own, message[1], message.slice(2));
    else own.delete(message[1]);
  }

  function handleEvent(socket: WebSocket, candidate: unknown): void {
    const parsed = eventSchema.safeParse(candidate);
    if (!parsed.success) {
      const id = typeof candidate === 'object' && candidate !== null ? (candidate as { id?: unknown }).id : '';
      send(socket, ['OK', typeof id === 'string' ? id : '', false, 'invalid: malformed event']);
      return;
    }
    const event: Event = parsed.data;
    if (!verifyEvent(event)) {
      send(socket, ['OK', event.id, false, 'invalid: bad id or signature']);
      return;
    }
    const outcome = store.add(event);
    if (outcome.status === 'duplicate') {
      send(socket, ['OK', event.id, true, 'duplicate: already have this event']);
      return;
    }
    if (outcome.status === 'superseded') {
      send(socket, ['OK', event.id, true, 'duplicate: a newer event of this kind is stored']);
      return;
    }
    send(socket, ['OK', event.id, true, '']);
    fanOut(event);
  }

  function handleReq(socket: WebSocket, own: Map<string, Filter[]>, subId: string, rawFilters: unknown[]): void {
    const filters = z.array(filterSchema).min(1).safeParse(rawFilters);
    if (!filters.success) {
      send(socket, ['CLOSED', subId, 'invalid: bad filter']);
      return;
    }
    if (!own.has(subId) && own.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      send(socket, ['CLOSED', subId, 'error: too many subscriptions']);
      return;
    }
    const asFilters = filters.data as Filter[];
    own.set(subId, asFilters);
    for (const event of store.query(asFilters)) send(socket, ['EVENT', subId, event]);
    send(socket, ['EOSE', subId]);
  }

  function fanOut(event: Event): void {
    for (const [socket, own] of subscriptions) {
      for (const [subId, filters] of own) {
        // `limit` only bounds the stored query; live events always flow (NIP-01).
        if (matchFilters(filters, event)) send(socket, ['EVENT', subId, event]);
      }
    }
  }

  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `ws://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

function isKnownFilterKey(key: string): boolean {
  return ['ids', 'authors', 'kinds', 'since', 'until', 'limit'].includes(key) || /^#[a-zA-Z]$/.test(key);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function send(socket: WebSocket, message: unknown[]): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
