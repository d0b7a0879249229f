import { describe, expect, it } from 'vitest';
import { splitClauses } from './clauses';
import { extractEntities } from './entities';
import { prepareRequest } from './request-text';

describe('prepareRequest', () => {
  it('lifts quotes of every kind out, leaving apostrophes alone', () => {
    const prepared = prepareRequest(`translate "a and b" and 'it's fine' and “curly” but not today's fees`);
    expect(prepared.quotes).toEqual(['a and b', "it's fine", 'curly']);
    expect(prepared.instruction).toBe("translate ⟦q0⟧ and ⟦q1⟧ and ⟦q2⟧ but not today's fees");
  });

  it('takes a long passage after a colon or a line break as the payload, but not a short value', () => {
    expect(prepareRequest('summarise: one two three four five').payload).toBe('one two three four five');
    expect(prepareRequest('summarise this\nfirst line. second line here').payload).toBe('first line. second line here');
    expect(prepareRequest('weather: London').payload).toBeUndefined();
    expect(prepareRequest('meet at 10:30 in the lobby of the hotel').payload).toBeUndefined();
  });

  it('keeps URLs whole and out of the payload search', () => {
    const prepared = prepareRequest('summarise https://example.com/a?b=c.');
    expect(prepared.urls).toEqual(['https://example.com/a?b=c']);
    expect(prepared.payload).toBeUndefined();
  });
});

describe('splitClauses', () => {
  it('splits at and, then, semicolons, sentence ends and commas, remembering how', () => {
    expect(splitClauses('BTC price and fee estimate, then a joke; weather. Headlines, jokes')).toEqual([
      { text: 'BTC price', connector: 'start' },
      { text: 'fee estimate', connector: 'and' },
      { text: 'a joke', connector: 'then' },
      { text: 'weather', connector: 'and' },
      { text: 'Headlines', connector: 'and' },
      { text: 'jokes', connector: 'comma' },
    ]);
  });

  it('does not split a thousands separator', () => {
    expect(splitClauses('summarise 1,000 words')).toEqual([{ text: 'summarise 1,000 words', connector: 'start' }]);
  });
});

describe('extractEntities', () => {
  const now = Date.UTC(2026, 0, 31, 23, 0);

  it('finds capitalised and known lower-case places, but not languages, currencies or days', () => {
    const entities = extractEntities('weather in San Francisco, in london and in Springfield on Monday in French for EUR', now);
    expect(entities.places.map((p) => p.value)).toEqual(['San Francisco', 'London', 'Springfield']);
  });

  it('reads languages, currencies, ISO and relative dates, and numbers with their neighbours', () => {
    const entities = extractEntities('5 headlines in Spanish priced in euros for tomorrow or 2026-03-04', now);
    expect(entities.languages.map((l) => l.value)).toEqual(['es']);
    expect(entities.currencies.map((c) => c.value)).toEqual(['EUR']);
    expect(entities.dates.map((d) => d.value)).toEqual(['2026-03-04', '2026-02-01']);
    expect(entities.numbers).toEqual([{ value: 5, words: ['5'], near: ['headlines', 'in'] }]);
  });

  it('leaves relative dates alone without a clock', () => {
    expect(extractEntities('tomorrow', undefined).dates).toEqual([]);
  });
});
