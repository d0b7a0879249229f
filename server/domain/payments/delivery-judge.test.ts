import { describe, expect, it } from 'vitest';
import { judgeDelivery } from './delivery-judge';

const summarySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { summary: { type: 'string' }, sentences: { type: 'integer', minimum: 1 } },
  required: ['summary', 'sentences'],
};

describe('judgeDelivery', () => {
  it('delivers a body that matches the published output schema', () => {
    expect(judgeDelivery('{"summary":"Fees are low.","sentences":1}', summarySchema)).toEqual({ ok: true });
  });

  it('refuses an empty or blank body, with or without a schema', () => {
    expect(judgeDelivery('', summarySchema)).toMatchObject({ ok: false, reason: 'empty_body' });
    expect(judgeDelivery('  \n', null)).toMatchObject({ ok: false, reason: 'empty_body' });
  });

  it('refuses a body that is not JSON when a schema was published', () => {
    expect(judgeDelivery('<html>oops</html>', summarySchema)).toMatchObject({ ok: false, reason: 'not_json' });
  });

  it('refuses JSON that breaks the schema and names where', () => {
    const verdict = judgeDelivery('{"summary":42}', summarySchema);
    expect(verdict).toMatchObject({ ok: false, reason: 'schema_invalid' });
    if (verdict.ok) throw new Error('unreachable');
    expect(verdict.detail).toContain('summary');
    expect(verdict.detail).toContain('sentences');
  });

  it('keeps the detail short however many issues there are', () => {
    const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, { type: 'string' }]));
    const verdict = judgeDelivery('{}', { type: 'object', properties, required: Object.keys(properties) });
    if (verdict.ok) throw new Error('expected a refusal');
    expect(verdict.detail).toContain('and 37 more');
    expect(verdict.detail.length).toBeLessThanOrEqual(500);
  });

  it('without a schema, any non-empty body counts (nothing else was promised)', () => {
    expect(judgeDelivery('plain words', null)).toEqual({ ok: true });
  });
});
