import { createTRPCUntypedClient, type TRPCLink } from '@trpc/client';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- a test's stand-in link; nothing here ships
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import type { AppRouter } from '../../../server/api/router';
import { lazyLink } from './live-link';

/** A stand-in for the SSE link: every stream gets one value and stays open; loads are counted. */
function fakeLoader(options: { failFirst?: boolean } = {}) {
  const counts = { loads: 0, opened: 0, closed: 0 };
  const link: TRPCLink<AppRouter> = () => () =>
    observable((observer) => {
      counts.opened += 1;
      observer.next({ result: { type: 'data', data: 'tick' } });
      return () => (counts.closed += 1);
    });
  const load = async () => {
    counts.loads += 1;
    if (options.failFirst && counts.loads === 1) throw new Error('chunk gone');
    return link;
  };
  return { counts, load };
}

function listen(client: ReturnType<typeof createTRPCUntypedClient<AppRouter>>) {
  const seen = { data: [] as unknown[], errors: [] as unknown[] };
  const subscription = client.subscription('alerts.live', undefined, {
    onData: (value) => seen.data.push(value),
    onError: (error) => seen.errors.push(error),
  });
  return { seen, subscription };
}

describe('lazyLink', () => {
  it('loads its link with the first operation, once, and passes the data on', async () => {
    const { counts, load } = fakeLoader();
    const client = createTRPCUntypedClient<AppRouter>({ links: [lazyLink(load)] });
    expect(counts.loads).toBe(0);
    const first = listen(client);
    const second = listen(client);
    await expect.poll(() => counts.opened).toBe(2);
    expect(counts.loads).toBe(1);
    expect(first.seen.data).toEqual(['tick']);
    expect(second.seen.data).toEqual(['tick']);
    first.subscription.unsubscribe();
    expect(counts.closed).toBe(1);
  });

  it('never opens a stream closed while its link was loading', async () => {
    const { counts, load } = fakeLoader();
    const client = createTRPCUntypedClient<AppRouter>({ links: [lazyLink(load)] });
    listen(client).subscription.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(counts.loads).toBe(1);
    expect(counts.opened).toBe(0);
  });

  it('reports a failed load as the stream error and loads again for the next stream', async () => {
    const { counts, load } = fakeLoader({ failFirst: true });
    const client = createTRPCUntypedClient<AppRouter>({ links: [lazyLink(load)] });
    const failed = listen(client);
    await expect.poll(() => failed.seen.errors.length).toBe(1);
    expect(String(failed.seen.errors[0])).toContain('chunk gone');
    const retried = listen(client);
    await expect.poll(() => retried.seen.data).toEqual(['tick']);
    expect(counts.loads).toBe(2);
  });
});
