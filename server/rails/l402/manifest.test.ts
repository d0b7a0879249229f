import { describe, expect, it } from 'vitest';
import { localPrice } from './manifest';
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
