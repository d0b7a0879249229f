import { describe, expect, it } from 'vitest';
import { createLocalLiveBus, liveEventSchema, liveValues, type LiveEvent } from './live-bus';

describe('the in-process live bus', () => {
  it('tells each listener of that person and kind once, before publish returns', () => {
    const bus = createLocalLiveBus();
    const heard: string[] = [];
    bus.subscribe('task', 'alice', (id) => heard.push(`alice task ${id}`));
    bus.subscribe('task', 'alice', (id) => heard.push(`alice task again ${id}`));
    bus.subscribe('alert', 'alice', (id) => heard.push(`alice alert ${id}`));
    bus.subscribe('task', 'bob', (id) => heard.push(`bob task ${id}`));
    bus.publish({ kind: 'task', userId: 'alice', id: 't1' });
    expect(heard).toEqual(['alice task t1', 'alice task again t1']);
  });

  it('stops telling a listener once unsubscribed, and one function subscribed twice stops once per subscription', () => {
    const bus = createLocalLiveBus();
    const heard: string[] = [];
    const listener = (id: string) => heard.push(id);
    const first = bus.subscribe('dispute', 'alice', listener);
    const second = bus.subscribe('dispute', 'alice', listener);
    bus.publish({ kind: 'dispute', userId: 'alice', id: 'd1' });
    first();
    bus.publish({ kind: 'dispute', userId: 'alice', id: 'd2' });
    second();
    second();
    bus.publish({ kind: 'dispute', userId: 'alice', id: 'd3' });
    expect(heard).toEqual(['d1', 'd1', 'd2']);
  });

  it('reports a throwing listener and still tells the others; publish never throws', () => {
    const errors: [unknown, LiveEvent][] = [];
    const bus = createLocalLiveBus({ onListenerError: (error, event) => errors.push([error, event]) });
    const heard: string[] = [];
    bus.subscribe('alert', 'alice', () => {
      throw new Error('closed connection');
    });
    bus.subscribe('alert', 'alice', (id) => heard.push(id));
    expect(() => bus.publish({ kind: 'alert', userId: 'alice', id: '7' })).not.toThrow();
    expect(heard).toEqual(['7']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toEqual({ kind: 'alert', userId: 'alice', id: '7' });
  });

  it('lets a listener unsubscribe itself while being told without skipping the next one', () => {
    const bus = createLocalLiveBus();
    const heard: string[] = [];
    const stop = bus.subscribe('session', 'alice', () => {
      stop();
      heard.push('first');
    });
    bus.subscribe('session', 'alice', () => heard.push('second'));
    bus.publish({ kind: 'session', userId: 'alice', id: 's1' });
    bus.publish({ kind: 'session', userId: 'alice', id: 's2' });
    expect(heard).toEqual(['first', 'second', 'second']);
  });

  it('refuses events that are not ours at the schema', () => {
    expect(liveEventSchema.safeParse({ kind: 'task', userId: 'alice', id: 't1' }).success).toBe(true);
    expect(liveEventSchema.safeParse({ kind: 'wallet', userId: 'alice', id: 't1' }).success).toBe(false);
    expect(liveEventSchema.safeParse({ kind: 'task', userId: '', id: 't1' }).success).toBe(false);
    expect(liveEventSchema.safeParse({ kind: 'task', userId: 'alice', id: 'x'.repeat(201) }).success).toBe(false);
  });
});

describe('liveValues', () => {
  it('yields what read finds when each event is told, in order, skipping nulls, until the signal aborts', async () => {
    const bus = createLocalLiveBus();
    const state = new Map([['t1', 'v1']]);
    const controller = new AbortController();
    let reads = 0;
    const stream = liveValues(bus, 'task', 'alice', controller.signal, (id) => {
      reads += 1;
      return state.get(id) ?? null;
    });
    const first = stream.next();
    bus.publish({ kind: 'task', userId: 'alice', id: 't1' });
    state.set('t1', 'v2');
    bus.publish({ kind: 'task', userId: 'alice', id: 'missing' });
    bus.publish({ kind: 'task', userId: 'bob', id: 't1' });
    bus.publish({ kind: 'task', userId: 'alice', id: 't1' });
    expect((await first).value).toBe('v1');
    expect((await stream.next()).value).toBe('v2');
    const ended = stream.next();
    controller.abort();
    expect((await ended).done).toBe(true);
    // Unsubscribed: nothing is read for a stream that ended.
    expect(reads).toBe(3);
    bus.publish({ kind: 'task', userId: 'alice', id: 't1' });
    expect(reads).toBe(3);
  });

  it('ends at once for a signal that already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const stream = liveValues(createLocalLiveBus(), 'task', 'alice', controller.signal, (id) => id);
    expect((await stream.next()).done).toBe(true);
  });
});
