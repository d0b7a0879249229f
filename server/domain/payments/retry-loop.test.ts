import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createLeases } from '../background';
import { createRetryLoop } from './retry-loop';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

let database: DatabaseHandle;
beforeEach(() => {
  database = openDatabase(':memory:');
});
afterEach(() => database.close());

const leasesOf = (holderId: string) => createLeases({ db: database.db, now: Date.now, holderId });

describe('retry loop', () => {
  it('runs one attempt at a time per item, and items in parallel', async () => {
    const log: string[] = [];
    const gates = new Map([['a', deferred()], ['b', deferred()]]);
    const loop = createRetryLoop('fund_top_up', leasesOf('one'), async (id) => {
      log.push(`start ${id}`);
      await gates.get(id)?.promise;
      log.push(`end ${id}`);
      return id;
    });
    const first = loop.attempt('a');
    const second = loop.attempt('a');
    const other = loop.attempt('b');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(log).toEqual(['start a', 'start b']);
    gates.get('a')?.resolve();
    gates.get('b')?.resolve();
    expect(await Promise.all([first, second, other])).toEqual(['a', 'a', 'b']);
    expect(log.filter((l) => l.endsWith(' a'))).toEqual(['start a', 'end a', 'start a', 'end a']);
  });

  it("turns an attempt away while another instance holds the item's lease, and takes it once released", async () => {
    const gate = deferred();
    let runs = 0;
    const advance = async () => {
      runs++;
      await gate.promise;
      return 'advanced';
    };
    const here = createRetryLoop('pay_refund', leasesOf('here'), advance);
    const there = createRetryLoop('pay_refund', leasesOf('there'), advance);
    const holding = here.attempt('d-1');
    await new Promise((r) => setTimeout(r, 5));
    expect(await there.attempt('d-1')).toBe('leased_elsewhere');
    expect(runs).toBe(1);
    gate.resolve();
    expect(await holding).toBe('advanced');
    expect(await there.attempt('d-1')).toBe('advanced');
  });

  it('never overlaps passes, and stop waits for the pass and the attempts it started', async () => {
    const gate = deferred();
    let passes = 0;
    let attemptDone = false;
    const loop = createRetryLoop('fund_top_up', leasesOf('one'), async () => {
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
    expect(passes).toBe(1); // later ticks wait behind the first pass instead of starting alongside it
    const stopped = running.stop();
    gate.resolve();
    await stopped;
    expect(attemptDone).toBe(true);
    expect(passes).toBe(2); // the ticks that came meanwhile made one more pass, not one each
    await loop.idle();
  });
});
