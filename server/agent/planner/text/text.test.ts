import { describe, expect, it } from 'vitest';
import { buildBm25Index } from './bm25';
import { stem, terms, words } from './terms';

describe('terms', () => {
  it.each([
    [['summarise', 'summarize', 'summary', 'summaries', 'summarised', 'summarizing', 'summarisation'], 'summar'],
    [['translate', 'translation', 'translations', 'translating', 'translated'], 'translat'],
    [['price', 'prices', 'priced', 'pricing'], 'pric'],
    [['estimate', 'estimates', 'estimation'], 'estimat'],
    [['analyse', 'analyze', 'analysis', 'analysing'], 'analys'],
    [['headline', 'headlines'], 'headlin'],
    [['week', 'weekly', 'weeks'], 'week'],
  ])('stems %j to one stem', (variants, expected) => {
    expect(new Set(variants.map(stem))).toEqual(new Set([expected]));
  });

  it('keeps short words and names intact', () => {
    expect(['fee', 'fees'].map(stem)).toEqual(['fee', 'fee']);
    expect(stem('paris')).toBe('paris');
    expect(stem('sun')).toBe('sun');
  });

  it('drops filler and numbers, splits names, and maps abbreviations', () => {
    expect(words("What's the BTC-price?")).toEqual(['what', 'the', 'btc', 'price']);
    expect(terms('Can you please get me the BTC price for 2 days')).toEqual(['bitcoin', 'pric', 'day']);
  });
});

describe('BM25F', () => {
  const index = buildBm25Index(
    [
      { id: 'b', fields: { name: ['weather'], body: ['rain', 'wind', 'city'] } },
      { id: 'a', fields: { name: ['joke'], body: ['funny', 'short', 'city'] } },
      { id: 'c', fields: { name: ['price'], body: ['bitcoin', 'price', 'currency', 'rate', 'fiat', 'change'] } },
    ],
    { name: { weight: 3, b: 0.3 }, body: { weight: 1, b: 0.75 } },
  );

  it('ranks a name match above a body match and reports what matched', () => {
    const hits = index.search(['weather', 'rain']);
    expect(hits.map((h) => h.id)).toEqual(['b']);
    expect(hits[0]?.matched).toEqual(['weather', 'rain']);
    expect(index.search(['joke'])[0]?.score).toBeGreaterThan(index.search(['funny'])[0]?.score ?? Infinity);
  });

  it('weighs rare terms above common ones', () => {
    expect(index.idf('rain')).toBeGreaterThan(index.idf('city'));
    expect(index.idf('unknown')).toBe(0);
    expect(index.search(['unknown'])).toEqual([]);
  });

  it('breaks ties by id and counts a repeated query term once', () => {
    expect(index.search(['city']).map((h) => h.id)).toEqual(['a', 'b']);
    expect(index.search(['city', 'city'])).toEqual(index.search(['city']));
  });

  it('saturates: repeating a term in a document helps less each time', () => {
    const saturating = buildBm25Index(
      [
        { id: 'one', fields: { body: ['fee', 'x', 'y', 'z'] } },
        { id: 'two', fields: { body: ['fee', 'fee', 'y', 'z'] } },
        { id: 'four', fields: { body: ['fee', 'fee', 'fee', 'fee'] } },
        { id: 'none', fields: { body: ['x', 'y', 'z', 'w'] } },
      ],
      { body: { weight: 1, b: 0 } },
    );
    const score = (id: string) => saturating.search(['fee']).find((h) => h.id === id)?.score ?? 0;
    expect(score('two') - score('one')).toBeGreaterThan(0);
    expect(score('four') - score('two')).toBeLessThan(score('two') - score('one'));
  });
});
