import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { finalizeEvent, generateSecretKey, getPublicKey, type Event, type EventTemplate } from 'nostr-tools/pure';
import { startRelay, type RunningRelay } from './relay';

/** A raw NIP-01 client that records every message, so tests see exactly what the relay sent. */
class RawClient {
  readonly received: unknown[][] = [];
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as unknown[]);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
  static async connect(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
  /** Waits until a received message satisfies `match` and returns it. */
  async next(match: (message: unknown[]) => boolean, timeoutMs = 2000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) {
        this.received.splice(this.received.indexOf(found), 1);
        return found;
      }
      if (Date.now() > deadline) throw new Error('no matching message');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
  /** Sends REQ and collects the stored events up to EOSE. */
  async req(subId: string, ...filters: object[]): Promise<Event[]> {
    this.send(['REQ', subId, ...filters]);
    await this.next((m) => m[0] === 'EOSE' && m[1] === subId);
    const events = this.received.filter((m) => m[0] === 'EVENT' && m[1] === subId).map((m) => m[2] as Event);
    for (const event of events) this.received.splice(this.received.findIndex((m) => m[2] === event), 1);
    return events;
  }
  async publish(event: Event): Promise<unknown[]> {
    this.send(['EVENT', event]);
    return this.next((m) => m[0] === 'OK' && m[1] === event.id);
  }
  close(): void {
    this.socket.close();
  }
}

const alice = generateSecretKey();
const bob = generateSecretKey();
function sign(secret: Uint8Array, template: Partial<EventTemplate>): Event {
  return finalizeEvent(
    { kind: 1, created_at: 1_700_000_000, tags: [], content: 'hi', ...template },
    secret,
  );
}

describe('sandbox relay', () => {
  let relay: RunningRelay;
  let client: RawClient;
  beforeEach(async () => {
    relay = await startRelay();
    client = await RawClient.connect(relay.url);
  });
  afterEach(async () => {
    client.close();
    await relay.close();
  });

  it('answers OK for a valid event and marks a republished one as duplicate', async () => {
    const event = sign(alice, {});
    expect(await client.publish(event)).toEqual(['OK', event.id, true, '']);
    const again = await client.publish(event);
    expect(again[2]).toBe(true);
    expect(String(again[3])).toMatch(/^duplicate:/);
    expect(await client.req('all', { ids: [event.id] })).toHaveLength(1);
  });

  it('rejects a bad signature and a tampered id, and stores neither', async () => {
    const event = sign(alice, {});
    const badSig = { ...event, sig: event.sig.replace(/^./, event.sig[0] === 'a' ? 'b' : 'a') };
    const tampered = { ...event, content: 'changed' };
    for (const bad of [badSig, tampered]) {
      const ok = await client.publish(bad);
      expect(ok[2]).toBe(false);
      expect(String(ok[3])).toMatch(/^invalid:/);
    }
    expect(await client.req('all', { authors: [getPublicKey(alice)] })).toEqual([]);
  });

  it('answers malformed messages with a NOTICE and keeps the connection', async () => {
    client.send('not json');
    await client.next((m) => m[0] === 'NOTICE');
    const event = sign(alice, {});
    expect((await client.publish(event))[2]).toBe(true);
  });

  it('applies ids, authors, kinds, #e, #p, since, until and limit', async () => {
    const target = sign(bob, { content: 'target' });
    const a1 = sign(alice, { created_at: 100, kind: 1 });
    const a2 = sign(alice, { created_at: 200, kind: 7, tags: [['e', target.id]] });
    const a3 = sign(alice, { created_at: 300, kind: 7, tags: [['p', getPublicKey(bob)]] });
    const b1 = sign(bob, { created_at: 250, kind: 1 });
    for (const e of [target, a1, a2, a3, b1]) await client.publish(e);
    const ids = (events: Event[]) => events.map((e) => e.id);

    expect(ids(await client.req('ids', { ids: [a1.id, b1.id] }))).toEqual([b1.id, a1.id]);
    expect(ids(await client.req('authors', { authors: [getPublicKey(alice)] }))).toEqual([a3.id, a2.id, a1.id]);
    expect(ids(await client.req('kinds', { kinds: [7] }))).toEqual([a3.id, a2.id]);
    expect(ids(await client.req('e', { '#e': [target.id] }))).toEqual([a2.id]);
    expect(ids(await client.req('p', { '#p': [getPublicKey(bob)] }))).toEqual([a3.id]);
    expect(ids(await client.req('since', { since: 250 }))).toEqual(expect.arrayContaining([a3.id, b1.id, target.id]));
    expect(ids(await client.req('window', { since: 150, until: 260 }))).toEqual([b1.id, a2.id]);
    expect(ids(await client.req('limit', { authors: [getPublicKey(alice)], limit: 2 }))).toEqual([a3.id, a2.id]);
    // Several filters are OR-ed, each with its own limit.
    expect(ids(await client.req('or', { kinds: [7], limit: 1 }, { ids: [a1.id] }))).toEqual([a3.id, a1.id]);
  });

  it('fans out live events to matching subscriptions only, and stops after CLOSE', async () => {
    const other = await RawClient.connect(relay.url);
    try {
      await other.req('sevens', { kinds: [7] });
      await other.req('ones', { kinds: [1], limit: 0 });
      const seven = sign(alice, { kind: 7 });
      await client.publish(seven);
      const live = await other.next((m) => m[0] === 'EVENT');
      expect(live[1]).toBe('sevens');
      expect((live[2] as Event).id).toBe(seven.id);

      other.send(['CLOSE', 'sevens']);
      await other.req('sync', { ids: ['0'.repeat(64)] }); // round trip: CLOSE has been processed
      await client.publish(sign(alice, { kind: 7, content: 'after close' }));
      const one = sign(alice, { kind: 1, content: 'live one' });
      await client.publish(one);
      const next = await other.next((m) => m[0] === 'EVENT');
      expect(next[1]).toBe('ones'); // the kind-7 event did not reach the closed subscription
      expect((next[2] as Event).id).toBe(one.id);
    } finally {
      other.close();
    }
  });

  it('keeps only the latest replaceable event, including NWC info (13194)', async () => {
    const older = sign(alice, { kind: 13194, created_at: 100, content: 'get_info' });
    const newer = sign(alice, { kind: 13194, created_at: 200, content: 'get_info pay_invoice' });
    await client.publish(older);
    await client.publish(newer);
    const stale = await client.publish(sign(alice, { kind: 13194, created_at: 150 }));
    expect(stale[2]).toBe(true);
    const info = await client.req('info', { kinds: [13194], authors: [getPublicKey(alice)], limit: 1 });
    expect(info.map((e) => e.id)).toEqual([newer.id]);
    const meta = sign(alice, { kind: 0, created_at: 1 });
    await client.publish(meta);
    await client.publish(sign(alice, { kind: 0, created_at: 2 }));
    expect((await client.req('meta', { kinds: [0] })).map((e) => e.created_at)).toEqual([2]);
  });

  it('fans out ephemeral events live but does not store them', async () => {
    const other = await RawClient.connect(relay.url);
    try {
      await other.req('nwc', { kinds: [23194] });
      const request = sign(alice, { kind: 23194, tags: [['p', getPublicKey(bob)]] });
      expect((await client.publish(request))[2]).toBe(true);
      const live = await other.next((m) => m[0] === 'EVENT');
      expect((live[2] as Event).id).toBe(request.id);
      expect(await client.req('later', { kinds: [23194] })).toEqual([]);
    } finally {
      other.close();
    }
  });
});

describe('sandbox relay bounds', () => {
  it('prunes the earliest regular events past the cap but never the replaceable ones', async () => {
    const relay = await startRelay({ maxRegularEvents: 3 });
    const client = await RawClient.connect(relay.url);
    try {
      await client.publish(sign(alice, { kind: 13194, content: 'info' }));
      const notes = [1, 2, 3, 4, 5].map((n) => sign(alice, { created_at: n, content: `note ${n}` }));
      for (const note of notes) await client.publish(note);
      const kept = await client.req('notes', { kinds: [1] });
      expect(kept.map((e) => e.content)).toEqual(['note 5', 'note 4', 'note 3']);
      expect(await client.req('info', { kinds: [13194] })).toHaveLength(1);
    } finally {
      client.close();
      await relay.close();
    }
  });
});
