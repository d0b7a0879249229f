import { describe, expect, it } from 'vitest';
import { blocksFor, composeAnswer, parseOutput } from './answer';

describe('answer composition', () => {
  it('parses JSON bodies and keeps plain text as text', () => {
    expect(parseOutput('{"a":1}', 'application/json')).toEqual({ a: 1 });
    expect(parseOutput('[1,2]', null)).toEqual([1, 2]);
    expect(parseOutput('hello', 'text/plain')).toBe('hello');
    expect(parseOutput('{not json', 'application/json')).toBe('{not json');
  });

  it('renders an object as facts, nested arrays as tables', () => {
    const blocks = blocksFor({ city: 'Paris', tempC: 21.5, rain: false, hours: [{ hour: 9, tempC: 18 }, { hour: 12, tempC: 21 }] });
    expect(blocks).toEqual([
      { kind: 'facts', facts: [{ label: 'City', value: 'Paris' }, { label: 'Temp C', value: '21.5' }, { label: 'Rain', value: 'no' }] },
      { kind: 'table', columns: ['Hour', 'Temp C'], rows: [['9', '18'], ['12', '21']] },
    ]);
  });

  it('renders a top-level array of scalars as a one-column table and text as text', () => {
    expect(blocksFor(['a', 'b'])).toEqual([{ kind: 'table', columns: ['Value'], rows: [['a'], ['b']] }]);
    expect(blocksFor('Fees are low.')).toEqual([{ kind: 'text', text: 'Fees are low.' }]);
  });

  it('summarises each step by its sentences, else its first facts', () => {
    const answer = composeAnswer([
      { stepId: 's1', title: 'joke (Satoshi Jokes)', output: { setup: 'Why did the node cross the road?', punchline: 'To relay the block.', topic: 'bitcoin' } },
      { stepId: 's2', title: 'btc-price (Block Data)', output: { pair: 'BTC/USD', price: 60000, source: 'Block Data composite index' } },
      { stepId: 's3', title: 'headlines (Daily Ledger)', output: [{ title: 'A' }, { title: 'B' }] },
    ]);
    expect(answer.summary.split('\n')).toEqual([
      'joke (Satoshi Jokes): Why did the node cross the road? To relay the block.',
      'btc-price (Block Data): Pair BTC/USD, Price 60,000, Source Block Data composite index.',
      'headlines (Daily Ledger): 2 rows.',
    ]);
    expect(answer.steps.map((s) => s.stepId)).toEqual(['s1', 's2', 's3']);
  });
});
