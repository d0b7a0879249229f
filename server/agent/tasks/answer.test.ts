import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import fixture from '../planner/fixtures/market-catalog.json';
import { blocksFor, composeAnswer, parseOutput } from './answer';

const catalog = catalogSchema.parse(fixture);
const headlinesShape = catalog.find((s) => s.name === 'headlines');

describe('answer composition', () => {
  it('parses JSON bodies and keeps plain text as text', () => {
    expect(parseOutput('{"a":1}', 'application/json')).toEqual({ a: 1 });
    expect(parseOutput('[1,2]', null)).toEqual([1, 2]);
    expect(parseOutput('hello', 'text/plain')).toBe('hello');
    expect(parseOutput('{not json', 'application/json')).toBe('{not json');
  });

  it('renders an object as facts in words, nested lists as tables', () => {
    const blocks = blocksFor({ city: 'Paris', temp_c: 21.5, rain: false, hours: [{ hour: 9, temp_c: 18 }, { hour: 12, temp_c: 21 }] });
    expect(blocks).toEqual([
      { kind: 'facts', facts: [{ label: 'City', value: 'Paris' }, { label: 'Temp', value: '21.5 °C' }, { label: 'Rain', value: 'no' }] },
      { kind: 'table', columns: ['Hour', 'Temp'], rows: [['9', '18 °C'], ['12', '21 °C']] },
    ]);
  });

  it('renders a top-level array of scalars as a one-column table and text as text', () => {
    expect(blocksFor(['a', 'b'])).toEqual([{ kind: 'table', columns: ['Value'], rows: [['a'], ['b']] }]);
    expect(blocksFor('Fees are low.')).toEqual([{ kind: 'text', text: 'Fees are low.' }]);
  });

  it('answers in plain sentences from the schema: currency, units, local times, no field names', () => {
    const shape = catalog.find((s) => s.name === 'btc-price');
    const price = { pair: 'BTC/EUR', price: 61234.5, change_24h_pct: 1.234, sats_per_unit: 1633, as_of: '2026-05-10T12:00:00.000Z', source: 'Block Data composite index (sandbox)' };
    const answer = composeAnswer([{ stepId: 's1', title: 'btc-price (Block Data)', output: price, ...(shape ? { shape } : {}) }], { timeZone: 'Europe/Berlin' });
    expect(answer.summary).toBe('btc-price (Block Data): BTC/EUR: price €61,234.50; change over 24 h +1.23%; sats per unit 1,633; as of Sun 10 May, 14:00 CEST.');
    expect(answer.summary).not.toMatch(/change_24h_pct|as_of|2026-05-10T/);
    // The details stay beneath it, where the source is shown too.
    expect(answer.steps[0]?.blocks[0]).toMatchObject({ kind: 'facts', facts: expect.arrayContaining([{ label: 'Source', value: 'Block Data composite index (sandbox)' }]) });
  });

  it('summarises each step by its sentences, its list or its facts', () => {
    const answer = composeAnswer([
      { stepId: 's1', title: 'joke (Satoshi Jokes)', output: { setup: 'Why did the node cross the road?', punchline: 'To relay the block.', topic: 'bitcoin' } },
      { stepId: 's2', title: 'headlines (Daily Ledger)', output: { topic: 'science', headlines: [{ id: 'a', headline: 'Reefs recover' }, { id: 'b', headline: 'Sensors defy models' }] }, ...(headlinesShape ? { shape: headlinesShape } : {}) },
    ]);
    expect(answer.summary.split('\n')).toEqual(['joke (Satoshi Jokes): Why did the node cross the road? To relay the block.', 'headlines (Daily Ledger): Reefs recover. Sensors defy models.']);
    expect(answer.steps.map((s) => s.stepId)).toEqual(['s1', 's2']);
  });
});
