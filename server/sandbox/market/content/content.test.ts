import { describe, expect, it } from 'vitest';
import { btcPrice, feeEstimate, marketReport } from './bitcoin';
import { headlinesFor } from './headlines';
import { tellJoke } from './jokes';
import { analyseSentiment, summarise, translate } from './text';
import { weatherFor } from './weather';

const NOW = Date.UTC(2025, 5, 1, 9, 30);

describe('demo content', () => {
  it('is deterministic for the same input and varies with it', () => {
    expect(weatherFor({ city: 'Tokyo', date: '2025-08-01' })).toEqual(weatherFor({ city: 'Tokyo', date: '2025-08-01' }));
    expect(weatherFor({ city: 'Tokyo', date: '2025-08-01' })).not.toEqual(weatherFor({ city: 'Tokyo', date: '2025-08-02' }));
    expect(headlinesFor({ topic: 'science', date: '2025-01-01', count: 4 })).toEqual(headlinesFor({ topic: 'science', date: '2025-01-01', count: 4 }));
    expect(tellJoke({ topic: 'bitcoin', seed: 'a' })).toEqual(tellJoke({ topic: 'bitcoin', seed: 'a' }));
    expect(btcPrice({ currency: 'USD', nowMs: NOW })).toEqual(btcPrice({ currency: 'USD', nowMs: NOW + 1000 }));
  });

  it('gives seasonal weather by hemisphere', () => {
    const julyLondon = weatherFor({ city: 'London', date: '2025-07-15' }).temperature_c.max;
    const janLondon = weatherFor({ city: 'London', date: '2025-01-15' }).temperature_c.max;
    const julySydney = weatherFor({ city: 'Sydney', date: '2025-07-15' }).temperature_c.max;
    const janSydney = weatherFor({ city: 'Sydney', date: '2025-01-15' }).temperature_c.max;
    expect(julyLondon).toBeGreaterThan(janLondon);
    expect(janSydney).toBeGreaterThan(julySydney);
  });

  it('keeps market numbers coherent', () => {
    const fees = feeEstimate({ nowMs: NOW });
    expect(fees.fastest).toBeGreaterThanOrEqual(fees.half_hour);
    expect(fees.half_hour).toBeGreaterThanOrEqual(fees.hour);
    expect(fees.hour).toBeGreaterThanOrEqual(fees.economy);
    const report = marketReport({ period: 'week', nowMs: NOW });
    expect(report.price_usd.low).toBeLessThanOrEqual(report.price_usd.open);
    expect(report.price_usd.high).toBeGreaterThanOrEqual(report.price_usd.close);
    const eur = btcPrice({ currency: 'EUR', nowMs: NOW });
    expect(eur.price).toBeGreaterThan(30_000);
    expect(eur.sats_per_unit).toBe(Math.round(1e8 / eur.price));
  });

  it('scores sentiment from the lexicon, honouring negation', () => {
    expect(analyseSentiment({ text: 'Great app, really fast and reliable!' }).label).toBe('positive');
    expect(analyseSentiment({ text: 'Slow, buggy and expensive.' }).label).toBe('negative');
    expect(analyseSentiment({ text: 'It is not good.' }).label).toBe('negative');
    expect(analyseSentiment({ text: 'The invoice has a memo.' }).label).toBe('neutral');
  });

  it('summarises by keeping the most representative sentences in order', () => {
    const text =
      'Lightning makes bitcoin payments fast. The weather was mild on Tuesday. ' +
      'Lightning channels route bitcoin payments cheaply. My cat sleeps a lot.';
    const result = summarise({ text, sentences: 2 });
    expect(result.summary).toBe('Lightning makes bitcoin payments fast. Lightning channels route bitcoin payments cheaply.');
    expect(result.sentences_in).toBe(4);
  });

  it('translates word by word and reports what it could not', () => {
    const result = translate({ text: 'Hello friend, pay the invoice today.', to: 'de' });
    expect(result.translation).toBe('Hallo freund, bezahlen der invoice heute.');
    expect(result.untranslated).toEqual(['invoice']);
  });
});
