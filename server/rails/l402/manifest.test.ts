import { describe, expect, it } from 'vitest';
import type { L402Fetcher } from './fetcher';
import { localPrice, requestQuote } from './manifest';
import type { ManifestResource } from './manifest';

const formula: ManifestResource = {
  path: '/v1/summarise',
  method: 'POST',
  pricing: {
    model: 'formula',
    base_msat: 10_000,
    components: [{ constraint: 'chars', price_msat_per_unit: 1_000, unit: 100 }],
  },
};

describe('localPrice', () => {
  it('formula: base + per unit, rounding each component up to whole units', () => {
    expect(localPrice(formula, { chars: 100 })).toEqual({ kind: 'priced', priceMsat: 11_000 });
    expect(localPrice(formula, { chars: 101 })).toEqual({ kind: 'priced', priceMsat: 12_000 });
    expect(localPrice(formula, { chars: 0 })).toEqual({ kind: 'priced', priceMsat: 10_000 });
  });

  it('names missing usage, bad usage and an overflowing price', () => {
    expect(localPrice(formula, {})).toEqual({ kind: 'missing_usage', constraint: 'chars' });
    expect(localPrice(formula, { chars: 1.5 })).toEqual({ kind: 'unpriceable' });
    expect(localPrice(formula, { chars: Number.MAX_SAFE_INTEGER })).toEqual({ kind: 'unpriceable' });
  });

  it('fixed is its price; dynamic needs a quote', () => {
    expect(localPrice({ ...formula, pricing: { model: 'fixed', price_msat: 5_000 } }, {})).toEqual({ kind: 'priced', priceMsat: 5_000 });
    expect(localPrice({ ...formula, pricing: { model: 'dynamic' } }, {})).toEqual({ kind: 'dynamic' });
  });
});

describe('requestQuote', () => {
  it('refuses a quote endpoint that resolves off the provider origin, without fetching it', async () => {
    const fetched: string[] = [];
    const fetcher: L402Fetcher = async (url) => {
      fetched.push(url);
      return { ok: false, reason: 'connection_failed', detail: 'not in this test' };
    };
    const manifest = { version: '1', quote_endpoint: '//127.0.0.1:9/quote', services: [] };
    const result = await requestQuote('http://provider.example', manifest, { service: 'x', constraints: {} }, fetcher);
    expect(result).toMatchObject({ ok: false, reason: 'no_quote_endpoint' });
    expect(fetched).toEqual([]);
  });
});
