import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createPeriodicJob } from './periodic';

function gatedPass() {
  const gates: (() => void)[] = [];
  let started = 0;
  let finished = 0;
  const pass = async (): Promise<number> => {
    const n = ++started;
    await new Promise<void>((resolve) => gates.push(resolve));
    finished++;
    return n;
  };
  return { pass, open: () => gates.splice(0).forEach((g) => g()), counts: () => ({ started, finished }) };
}

const failOnError = (error: unknown) => {
  throw error;
};

describe('periodic job', () => {
  it("'coalesce': a call while a pass runs shares that pass and its result", async () => {
    const { pass, open, counts } = gatedPass();
    const job = createPeriodicJob(pass, 'coalesce');
    const first = job.run();
    const second = job.run();
    open();
    expect(await Promise.all([first, second])).toEqual([1, 1]);
    expect(counts()).toEqual({ started: 1, finished: 1 });
  });

  it("'serialise': calls while a pass runs make one more pass after it, never alongside it", async () => {
    const { pass, open, counts } = gatedPass();
    const job = createPeriodicJob(pass, 'serialise');
    const first = job.run();
    const second = job.run();
    const third = job.run();
    expect(counts()).toEqual({ started: 1, finished: 0 });
    open();
    expect(await first).toBe(1);
    await sleep(0);
    expect(counts()).toEqual({ started: 2, finished: 1 });
    open();
    expect(await Promise.all([second, third])).toEqual([2, 2]);
  });

  it('runs a pass at once and on every interval; stop() waits for the running pass and no pass follows', async () => {
    const { pass, open, counts } = gatedPass();
    const job = createPeriodicJob(pass, 'coalesce');
    const running = job.start(5, failOnError);
    expect(counts()).toEqual({ started: 1, finished: 0 });
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false); // the pass is still running: stop waits for it
    open();
    await stopping;
    expect(counts()).toEqual({ started: 1, finished: 1 });
    await sleep(20);
    expect(counts().started).toBe(1);
  });

  it("'serialise' stop() also waits for the pass queued behind the running one", async () => {
    const { pass, open, counts } = gatedPass();
    const job = createPeriodicJob(pass, 'serialise');
    const running = job.start(2, failOnError);
    await sleep(15); // ticks arrive while the first pass runs
    expect(counts()).toEqual({ started: 1, finished: 0 });
    const stopping = running.stop();
    open();
    await sleep(5);
    open();
    await stopping;
    expect(counts()).toEqual({ started: 2, finished: 2 });
  });

  it("'after_interval' waits an interval for the first pass and reports a failed pass to onError", async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const job = createPeriodicJob(async () => {
      passes++;
      throw new Error('wallet down');
    }, 'coalesce');
    const running = job.start(30, (error) => errors.push(error), { firstPass: 'after_interval' });
    expect(passes).toBe(0);
    await sleep(45);
    await running.stop();
    expect(passes).toBeGreaterThanOrEqual(1);
    expect(errors).toHaveLength(passes);
    expect(errors[0]).toEqual(new Error('wallet down'));
  });
});
