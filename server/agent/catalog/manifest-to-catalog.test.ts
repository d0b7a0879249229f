import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import plannerFixture from '../planner/fixtures/market-catalog.json';
import marketManifest from './fixtures/market-manifest.json';
import { manifestToCatalog } from './manifest-to-catalog';

const ORIGIN = 'http://market.example';

function mapped(manifest: unknown, origin = ORIGIN) {
  const result = manifestToCatalog(manifest, origin);
  if (!result.ok) throw new Error(`expected a catalog, got ${result.reason}: ${result.detail}`);
  return result;
}

describe('manifestToCatalog', () => {
  it("maps every service of the sandbox market's manifest, with prices in msat", () => {
    const { services, skipped } = mapped(marketManifest);
    expect(skipped).toEqual([]);
    expect(services.map((s) => s.id)).toEqual([
      'satoshi-jokes/joke', 'block-data/btc-price', 'block-data/fee-estimate', 'block-data/market-report',
      'wordsmith/sentiment', 'wordsmith/summarise', 'wordsmith/translate', 'skycast/weather', 'nimbus/city-weather', 'daily-ledger/headlines',
    ]);
    const byName = new Map(services.map((s) => [s.name, s]));
    expect(byName.get('btc-price')).toMatchObject({
      providerName: 'Block Data', origin: ORIGIN, method: 'GET', path: '/v1/btc/price', inputIn: 'query',
      pricing: { model: 'fixed', priceMsat: 10_000 }, advertisedPriceMsat: 10_000, quotePath: '/l402/quote', tokenValiditySec: 600,
    });
    expect(byName.get('summarise')).toMatchObject({
      pricing: { model: 'formula', baseMsat: 10_000, components: [{ constraint: 'summarise_input_chars', priceMsatPerUnit: 1000, unit: 100 }] },
      constraints: { summarise_input_chars: { type: 'integer', min: 1, max: 20_000 } },
      inputIn: 'body',
    });
    expect(byName.get('translate')?.pricing).toEqual({ model: 'dynamic' });
    expect(byName.get('translate')).not.toHaveProperty('advertisedPriceMsat');
    expect(byName.get('weather')?.inputSchema.required).toEqual(['city']);
  });

  it("keeps the planner's fixture catalog equal to the manifest's mapping, tags and examples included", () => {
    expect(catalogSchema.parse(plannerFixture)).toEqual(mapped(marketManifest).services);
    const byName = new Map(mapped(marketManifest).services.map((s) => [s.name, s]));
    expect(byName.get('weather')?.tags).toContain('forecast');
    expect(byName.get('summarise')?.outputTextField).toBe('summary');
  });

  it('keeps an output text field only when the output schema declares it a string', () => {
    const outputSchema = { type: 'object', properties: { summary: { type: 'string' }, words: { type: 'integer' } } };
    const withOutput = (extra: Record<string, unknown>) => ({
      services: [{ name: 'sum', resources: [{ path: '/s', pricing: { model: 'fixed', price_msat: 1000 }, ...extra }] }],
    });
    const fieldOf = (extra: Record<string, unknown>) => mapped(withOutput(extra)).services[0]?.outputTextField;
    expect(fieldOf({ output_schema: outputSchema, output_text_field: 'summary' })).toBe('summary');
    expect(fieldOf({ output_schema: outputSchema, output_text_field: 'words' })).toBeUndefined();
    expect(fieldOf({ output_schema: outputSchema, output_text_field: 'missing' })).toBeUndefined();
    expect(fieldOf({ output_schema: outputSchema, output_text_field: 'toString' })).toBeUndefined();
    expect(fieldOf({ output_text_field: 'summary' })).toBeUndefined();
    expect(fieldOf({ output_schema: outputSchema })).toBeUndefined();
  });

  it('normalises the origin and reads tags and examples from services and resources', () => {
    const manifest = {
      provider: { name: 'Acme Data' },
      services: [
        {
          name: 'quotes',
          tags: ['stocks'],
          examples: ['AAPL quote'],
          resources: [{ path: '/q', pricing: { model: 'fixed', price_msat: 2000 }, tags: ['stocks', 'shares'] }],
        },
      ],
    };
    const [service] = mapped(manifest, 'https://acme.example:8443/some/path?x=1').services;
    expect(service).toMatchObject({
      id: 'acme-data/quotes', providerId: 'acme-data', providerName: 'Acme Data', origin: 'https://acme.example:8443',
      tags: ['stocks', 'shares'], examples: ['AAPL quote'], method: 'GET', inputIn: 'query',
      inputSchema: { type: 'object', properties: {} },
    });
  });

  it('gives each resource of a multi-resource service its own id', () => {
    const resource = (path: string) => ({ path, method: 'post', pricing: { model: 'dynamic' } });
    const { services } = mapped({ services: [{ name: 'gpu', provider: { id: 'p', name: 'P' }, resources: [resource('/a'), resource('/b')] }] });
    expect(services.map((s) => [s.id, s.method, s.path, s.inputIn])).toEqual([
      ['p/gpu/1', 'POST', '/a', 'body'],
      ['p/gpu/2', 'POST', '/b', 'body'],
    ]);
  });

  it('skips unusable services with a reason and keeps the rest', () => {
    const good = { name: 'ok', resources: [{ path: '/ok', pricing: { model: 'fixed', price_msat: 1 } }] };
    const result = mapped({
      services: [
        good,
        { name: 'empty', resources: [] },
        { name: 'put', resources: [{ path: '/p', method: 'PUT', pricing: { model: 'dynamic' } }] },
        { name: 'arr', resources: [{ path: '/a', pricing: { model: 'dynamic' }, input_schema: { type: 'array' } }] },
        { name: 'neg', resources: [{ path: '/n', pricing: { model: 'fixed', price_msat: -5 } }] },
        { name: 'float', resources: [{ path: '/f', pricing: { model: 'fixed', price_msat: 1.5 } }] },
        { name: 'dup', resources: [{ path: '/d', pricing: { model: 'dynamic' } }] },
        { name: 'dup', resources: [{ path: '/d2', pricing: { model: 'dynamic' } }] },
        { resources: [] },
      ],
    });
    expect(result.services.map((s) => s.name)).toEqual(['ok', 'dup']);
    expect(result.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['empty', 'no_resources'],
      ['put', 'unsupported_method'],
      ['arr', 'unsupported_input_schema'],
      ['neg', 'invalid_resource'],
      ['float', 'invalid_resource'],
      ['dup', 'invalid_service'],
      ['(unnamed)', 'invalid_service'],
    ]);
  });

  it('refuses a resource whose path leads off the provider origin, and drops an off-origin quote endpoint', () => {
    const resource = (path: string) => ({ path, pricing: { model: 'fixed', price_msat: 1000 } });
    const result = mapped({
      quote_endpoint: '//quotes.elsewhere.example/q',
      services: [
        { name: 'home', resources: [resource('/v1/home')] },
        { name: 'hop', resources: [resource('//127.0.0.1:4021/v1/joke')] },
        { name: 'slashes', resources: [resource('/\\evil.example/x')] },
      ],
    });
    expect(result.services.map((s) => s.name)).toEqual(['home']);
    expect(result.services[0]).not.toHaveProperty('quotePath');
    expect(result.skipped).toEqual([
      { name: 'hop', reason: 'off_origin_path', detail: `//127.0.0.1:4021/v1/joke leads to http://127.0.0.1:4021, not ${ORIGIN}` },
      { name: 'slashes', reason: 'off_origin_path', detail: `/\\evil.example/x leads to http://evil.example, not ${ORIGIN}` },
    ]);
  });

  it("keeps a provider's refund endpoint on its services, and drops one that leads off its origin", () => {
    const resource = { path: '/v1/x', pricing: { model: 'fixed', price_msat: 1000 } };
    const result = mapped({
      provider: { name: 'Home', refund_endpoint: '/l402/refund' },
      services: [
        { name: 'inherits', resources: [resource] },
        { name: 'own', provider: { name: 'Own', refund_endpoint: '/own/refund' }, resources: [resource] },
        { name: 'leaks', provider: { name: 'Leaks', refund_endpoint: '//elsewhere.example/refund' }, resources: [resource] },
      ],
    });
    expect(result.services.map((s) => [s.name, s.refundPath])).toEqual([
      ['inherits', '/l402/refund'],
      ['own', '/own/refund'],
      ['leaks', undefined],
    ]);
  });

  it('keeps the published output schema for judging paid answers, and refuses one that cannot be converted', () => {
    const outputSchema = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
    const result = mapped({
      services: [
        { name: 'typed', resources: [{ path: '/t', pricing: { model: 'fixed', price_msat: 1 }, output_schema: outputSchema }] },
        { name: 'untyped', resources: [{ path: '/u', pricing: { model: 'fixed', price_msat: 1 } }] },
        { name: 'broken', resources: [{ path: '/b', pricing: { model: 'fixed', price_msat: 1 }, output_schema: { $ref: 'https://elsewhere.example/s.json' } }] },
      ],
    });
    expect(result.services.map((s) => [s.name, s.outputSchema])).toEqual([
      ['typed', outputSchema],
      ['untyped', undefined],
    ]);
    expect(result.skipped.map((s) => [s.name, s.reason])).toEqual([['broken', 'unsupported_output_schema']]);
    expect(mapped(marketManifest).services.every((s) => s.outputSchema !== undefined)).toBe(true);
  });

  it('refuses a document that is not a manifest, and an origin that is not http(s)', () => {
    expect(manifestToCatalog({ services: 'nope' }, ORIGIN)).toMatchObject({ ok: false, reason: 'invalid_manifest' });
    expect(manifestToCatalog(null, ORIGIN)).toMatchObject({ ok: false, reason: 'invalid_manifest' });
    expect(manifestToCatalog(marketManifest, 'ftp://market.example')).toMatchObject({ ok: false, reason: 'invalid_origin' });
    expect(manifestToCatalog(marketManifest, 'not a url')).toMatchObject({ ok: false, reason: 'invalid_origin' });
  });

  it('keeps the provider node key and what bounds the main text: output_text_within and the schema maxLength', () => {
    const key = `03${'CD'.repeat(32)}`;
    const manifest = {
      provider: { name: 'Text Co', node_pubkey: key },
      services: [
        {
          name: 'digest',
          resources: [
            {
              path: '/digest',
              method: 'POST',
              pricing: { model: 'fixed', price_msat: 1_000 },
              input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
              output_schema: { type: 'object', properties: { digest: { type: 'string', maxLength: 280 } } },
              output_text_field: 'digest',
              output_text_within: 'text',
            },
          ],
        },
        // A node key of its own provider wins; an excerpt of an input that is not a string is ignored.
        {
          name: 'other',
          provider: { name: 'Other', node_pubkey: `02${'11'.repeat(32)}` },
          resources: [{ path: '/other', pricing: { model: 'fixed', price_msat: 1 }, output_text_within: 'text' }],
        },
      ],
    };
    const [digest, other] = mapped(manifest).services;
    expect(digest).toMatchObject({ payeePubkeyHex: key.toLowerCase(), outputTextField: 'digest', outputTextMaxLength: 280, outputTextWithin: 'text' });
    expect(other).toMatchObject({ payeePubkeyHex: `02${'11'.repeat(32)}` });
    expect(other).not.toHaveProperty('outputTextWithin');
  });
});
