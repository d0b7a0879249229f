import { describe, expect, it } from 'vitest';
import { createRetryLoop } from './retry-loop';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('retry loop', () => {
  it('runs one attempt at a time per item, and items in parallel', async () => {
    const log: string[] = [];
    const gates = new Map([['a', deferred()], ['b', deferred()]]);
    const loop = createRetryLoop(async (id) => {
      log.push(`start ${id}`);
      await gates.get(id)?.promise;
      log.push(`end ${id}`);
      return id;
    });
    const first = loop.attempt('a');
    const second = loop.attempt('a');
    const other = loop.attempt('b');
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['start a', 'start b']);
    gates.get('a')?.resolve();
    gates.get('b')?.resolve();
    expect(await Promise.all([first, second, other])).toEqual(['a', 'a', 'b']);
    expect(log.filter((l) => l.endsWith(' a'))).toEqual(['start a', 'end a', 'start a', 'end a']);
  });

  it('never overlaps passes, and stop waits for the pass and the attempts it started', async () => {
    const gate = deferred();
    let passes = 0;
    let attemptDone = false;
    const loop = createRetryLoop(async () => {
      await gate.promise;
      attemptDone = true;
    });
    const running = loop.start(1, async () => {
      passes++;
      await loop.attempt('x');
    }, (error) => {
      throw error;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(passes).toBe(1); // later ticks queue behind the first pass instead of starting alongside it
    const stopped = running.stop();
    gate.resolve();
    await stopped;
    expect(attemptDone).toBe(true);
    await loop.idle();
  });
});
