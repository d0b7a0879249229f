import { describe, expect, it } from 'vitest';
import { createPrng } from './prng';
import type { ServerProcess } from './server-process';
import { pickServer } from './workload';

const server = (baseUrl: string, up: boolean): ServerProcess => ({
  baseUrl,
  start: async () => {},
  kill: async () => {},
  stop: async () => true,
  isUp: () => up,
  crashes: () => 0,
});

describe('pickServer (the soak as a load balancer without sticky sessions)', () => {
  it('sends calls to every server that is up, and never to one that is down', () => {
    const servers = [server('a', true), server('b', false), server('c', true)];
    const prng = createPrng(7);
    const picked = new Set(Array.from({ length: 200 }, () => pickServer(servers, prng).baseUrl));
    expect([...picked].sort()).toEqual(['a', 'c']);
  });

  it('when none is up, still picks one (the call then finds it down and waits)', () => {
    expect(pickServer([server('a', false)], createPrng(1)).baseUrl).toBe('a');
  });
});
