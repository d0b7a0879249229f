import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import type { CatalogService } from '../../../shared/catalog';
import fixture from './fixtures/market-catalog.json';
import { checkInput, inputProperties, questionFor } from './input-schema';

const catalog = catalogSchema.parse(fixture);
const service = (name: string): CatalogService => {
  const found = catalog.find((s) => s.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('input schema', () => {
  it('tells text, places, dates, numbers and enums apart from the schema alone', () => {
    const kinds = (name: string) => Object.fromEntries(inputProperties(service(name)).map((p) => [p.name, [p.kind, p.required]]));
    expect(kinds('weather')).toEqual({ city: ['place', true], date: ['date', false] });
    expect(kinds('translate')).toEqual({ text: ['text', true], to: ['enum', true] });
    expect(kinds('headlines')).toEqual({ topic: ['enum', false], date: ['date', false], count: ['number', false] });
    expect(kinds('joke')).toEqual({ topic: ['enum', false], seed: ['other', false] });
  });

  it('validates against the schema: missing, out of range, wrong enum and undeclared inputs', () => {
    expect(checkInput(service('weather'), { city: 'Paris', date: '2026-05-01' })).toEqual({ ok: true });
    expect(checkInput(service('weather'), {})).toEqual({ ok: false, reason: 'missing_input', field: 'city' });
    expect(checkInput(service('weather'), { city: 'Paris', date: 'tomorrow' })).toMatchObject({ ok: false, reason: 'invalid_input', field: 'date' });
    expect(checkInput(service('headlines'), { count: 11 })).toMatchObject({ ok: false, reason: 'invalid_input', field: 'count' });
    expect(checkInput(service('translate'), { text: 'hi', to: 'xx' })).toMatchObject({ ok: false, reason: 'invalid_input', field: 'to' });
    expect(checkInput(service('fee-estimate'), { extra: 1 })).toMatchObject({ ok: false, reason: 'invalid_input' });
  });

  it('counts a field filled later from an earlier step as present, and still checks the rest', () => {
    expect(checkInput(service('translate'), { to: 'es' }, ['text'])).toEqual({ ok: true });
    expect(checkInput(service('translate'), { to: 'xx' }, ['text'])).toMatchObject({ ok: false, field: 'to' });
    expect(checkInput(service('translate'), {}, ['text'])).toEqual({ ok: false, reason: 'missing_input', field: 'to' });
  });

  it('asks for a missing input by its description, listing the options', () => {
    expect(questionFor(service('weather'), 'city')).toBe('Which city name should I use for weather? (City name, e.g. London)');
    expect(questionFor(service('btc-price'), 'currency')).toBe('Which fiat currency code should I use for btc-price? Options: USD, EUR, GBP, JPY, CHF.');
    expect(questionFor(service('headlines'), 'count')).toBe('Which count should I use for headlines? (How many headlines)');
  });
});
