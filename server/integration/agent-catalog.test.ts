/**
 * The catalog service over the real repository and the real catalog source (guarded fetch): providers
 * added by URL are validated (the SSRF guard refuses loopback in live mode; bad schemes and documents
 * are refused by name), visible only to who added them, cannot shadow configured service ids; a
 * refresh keeps price history only when a price changes, and keeps the last good services on failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from '../../shared/governance';
import { createCatalogService } from '../agent/catalog/catalog-service';
import { createLeases } from '../domain/background';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { createGuardedFetch } from '../rails/http/guarded-fetch';
import { createCatalogSource } from '../rails/l402/catalog-source';
import { createAgentStores } from './agent-support';

/** A provider whose manifest the test changes between loads; `null` answers 500. */
let manifests: Record<string, unknown> = {};
let server: Server;
let base: string;
let other: string;

const service = (name: string, providerId: string, priceMsat: number) => ({
  name,
  provider: { id: providerId, name: providerId },
  resources: [{ path: `/v1/${name}`, method: 'GET', pricing: { model: 'fixed', price_msat: priceMsat }, input_schema: { type: 'object', properties: {} } }],
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const doc = manifests[req.headers.host ?? ''];
    if (req.url !== '/.well-known/l402.json' || doc === undefined) return void res.writeHead(404).end();
    if (doc === null) return void res.writeHead(500).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  other = `http://localhost:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let handle: DatabaseHandle;
let nowMs: number;
const settings = new Map<string, GovernanceSettings>();

function catalogWith(allowedOrigins: string[], configured: string[] = [base]) {
  const { catalogStore } = createAgentStores(handle.db);
  return createCatalogService({
    source: createCatalogSource(createGuardedFetch({ allowedOrigins, timeoutMs: 2_000 })),
    store: catalogStore,
    governance: { settingsFor: (u) => settings.get(u) ?? DEFAULT_GOVERNANCE_SETTINGS },
    configuredProviderUrls: configured,
    leases: createLeases({ db: handle.db, now: () => nowMs }),
    now: () => nowMs,
  });
}

beforeEach(() => {
  handle = openDatabase(':memory:');
  nowMs = 1_000;
  settings.clear();
  manifests = {
    [new URL(base).host]: { version: '0.1', services: [service('joke', 'market', 1_000), service('price', 'market', 10_000)] },
    [new URL(other).host]: { version: '0.1', services: [service('joke', 'market', 500), service('poem', 'bard', 2_000)] },
  };
});

describe('catalog service', () => {
  it('refreshes on a timer once across instances: skipped while another instance holds the catalog lease', async () => {
    const catalog = catalogWith([base]);
    const elsewhere = createLeases({ db: handle.db, now: () => nowMs, holderId: 'other-instance' });
    let release = () => undefined as void;
    const holding = elsewhere.withLease('refresh_catalog', 'all', () => new Promise<void>((resolve) => (release = resolve)));
    const refreshing = catalog.start(10, (error) => {
      throw error;
    });
    await sleep(80); // several ticks, each finding the other instance's lease
    expect(catalog.servicesFor('u1')).toEqual([]);
    release();
    await holding;
    for (let waited = 0; catalog.servicesFor('u1').length === 0 && waited < 5_000; waited += 20) await sleep(20);
    await refreshing.stop();
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke', 'market/price']);
  });

  it('loads configured providers and keeps a price row only when the price changes', async () => {
    const catalog = catalogWith([base]);
    expect(await catalog.refreshAll()).toEqual({ loaded: 1, failed: 0 });
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke', 'market/price']);
    nowMs = 2_000;
    await catalog.refreshAll();
    expect(catalog.priceHistory('u1', 'market/joke')?.map((p) => p.priceMsat)).toEqual([1_000]);
    manifests[new URL(base).host] = { version: '0.1', services: [service('joke', 'market', 2_000), service('price', 'market', 10_000)] };
    nowMs = 3_000;
    await catalog.refreshAll();
    expect(catalog.priceHistory('u1', 'market/joke')).toEqual([
      { observedAtMs: 3_000, priceMsat: 2_000, pricing: { model: 'fixed', priceMsat: 2_000 } },
      { observedAtMs: 1_000, priceMsat: 1_000, pricing: { model: 'fixed', priceMsat: 1_000 } },
    ]);
  });

  it('keeps the last good services when a refresh fails, and shows the failure', async () => {
    const catalog = catalogWith([base]);
    await catalog.refreshAll();
    manifests[new URL(base).host] = null;
    expect(await catalog.refreshAll()).toEqual({ loaded: 0, failed: 1 });
    expect(catalog.servicesFor('u1')).toHaveLength(2);
    expect(catalog.providersFor('u1')[0]?.lastError).toMatchObject({ reason: 'http_error' });
  });

  it('adds a provider by URL for one person only, without letting it shadow configured services', async () => {
    const catalog = catalogWith([base, other]);
    await catalog.refreshAll();
    const added = await catalog.addProvider('u1', `${other}/anything?x=1`);
    expect(added).toMatchObject({ ok: true, provider: { origin: other, own: true, serviceCount: 1 } });
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke', 'market/price', 'bard/poem']);
    // The configured joke keeps its price: the added provider's "market/joke" was dropped.
    expect(catalog.serviceFor('u1', 'market/joke')?.advertisedPriceMsat).toBe(1_000);
    expect(catalog.servicesFor('u2').map((s) => s.id)).toEqual(['market/joke', 'market/price']);
    expect(await catalog.addProvider('u1', other)).toMatchObject({ ok: false, reason: 'provider_exists' });
    // Start-up waits only for the configured provider; people's own load separately.
    expect(await catalog.refreshConfigured()).toEqual({ loaded: 1, failed: 0 });
    expect(await catalog.refreshAdded()).toEqual({ loaded: 1, failed: 0 });
    if (!added.ok) throw new Error('not added');
    expect(catalog.removeProvider('u2', added.provider.id)).toBe(false);
    expect(catalog.removeProvider('u1', added.provider.id)).toBe(true);
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke', 'market/price']);
  });

  it('tells a configured provider\'s service from one a person added (only the first is refunded automatically)', async () => {
    const catalog = catalogWith([base, other]);
    await catalog.refreshAll();
    expect(await catalog.addProvider('u1', other)).toMatchObject({ ok: true });
    expect(catalog.listedByOperator('market/joke', base)).toBe(true);
    expect(catalog.listedByOperator('bard/poem', other)).toBe(false);
    // The added manifest's own "market/joke" (dropped from the catalog) at its origin, and a configured id at another origin.
    expect(catalog.listedByOperator('market/joke', other)).toBe(false);
  });

  it('refuses provider URLs by name: bad scheme, loopback in live mode, no manifest, not a manifest', async () => {
    const live = catalogWith([], []);
    expect(await live.addProvider('u1', 'ftp://example.com')).toMatchObject({ ok: false, reason: 'invalid_url' });
    expect(await live.addProvider('u1', 'not a url')).toMatchObject({ ok: false, reason: 'invalid_url' });
    expect(await live.addProvider('u1', other)).toMatchObject({ ok: false, reason: 'blocked_address' });
    expect(await live.addProvider('u1', 'http://10.0.0.1:8080')).toMatchObject({ ok: false, reason: 'blocked_address' });
    expect(live.providersFor('u1')).toEqual([]);

    const sandboxed = catalogWith([base, other], []);
    manifests[new URL(other).host] = 'not json';
    expect(await sandboxed.addProvider('u1', other)).toMatchObject({ ok: false, reason: 'invalid_json' });
    manifests[new URL(other).host] = { services: 'nope' };
    expect(await sandboxed.addProvider('u1', other)).toMatchObject({ ok: false, reason: 'invalid_manifest' });
    delete manifests[new URL(other).host];
    expect(await sandboxed.addProvider('u1', other)).toMatchObject({ ok: false, reason: 'no_manifest' });
  });

  it('refuses a service whose path leads to another origin, and names it beside its provider', async () => {
    const hop = { ...service('hop', 'market', 1_000), resources: [{ path: `//${new URL(other).host}/v1/poem`, method: 'GET', pricing: { model: 'fixed', price_msat: 1_000 } }] };
    manifests[new URL(base).host] = { version: '0.1', services: [service('joke', 'market', 1_000), hop] };
    const catalog = catalogWith([base]);
    expect(await catalog.refreshAll()).toEqual({ loaded: 1, failed: 0 });
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke']);
    expect(catalog.providersFor('u1')[0]?.refused).toEqual([
      { name: 'hop', reason: 'off_origin_path', detail: `//${new URL(other).host}/v1/poem leads to ${other}, not ${base}` },
    ]);

    // A provider whose every service leaves its origin is not added; the refusal says why.
    const backToBase = [{ path: `//${new URL(base).host}/v1/joke`, method: 'GET', pricing: { model: 'fixed', price_msat: 1_000 } }];
    manifests[new URL(other).host] = { version: '0.1', services: [{ ...hop, name: 'only-hop', resources: backToBase }] };
    const added = await catalogWith([base, other]).addProvider('u1', other);
    expect(added).toMatchObject({ ok: false, reason: 'no_services' });
    expect(!added.ok && added.detail).toContain('only-hop: off_origin_path');
  });

  it('leaves out a stored off-origin service loaded before such paths were refused, while its provider stays down', async () => {
    const catalog = catalogWith([base]);
    await catalog.refreshAll();
    const [joke] = catalog.servicesFor('u1');
    if (!joke) throw new Error('no service loaded');
    const { catalogStore } = createAgentStores(handle.db);
    const [row] = catalogStore.allProviders();
    const stored = [joke, { ...joke, id: 'market/hop', name: 'hop', path: `//${new URL(other).host}/v1/poem` }];
    catalogStore.recordLoad(row?.id ?? '', { name: row?.name ?? null, servicesJson: JSON.stringify(stored), refusedJson: '[]', nowMs });
    manifests[new URL(base).host] = null;
    expect(await catalog.refreshAll()).toEqual({ loaded: 0, failed: 1 });
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke']);
  });

  it('keeps allow/block as governance rules, preserving a monthly cap set for the service', async () => {
    const catalog = catalogWith([base]);
    await catalog.refreshAll();
    settings.set('u1', { ...DEFAULT_GOVERNANCE_SETTINGS, serviceRules: [{ serviceId: 'market/price', rule: null, monthlyCap: { unit: 'usd', usdCents: 100 as never } }] });
    // The catalog only computes the settings; the settings-change service (tested elsewhere) saves them.
    const setPreference = (serviceId: string, preference: 'allow' | 'block' | null) => {
      const next = catalog.withPreference('u1', serviceId, preference);
      if (next.ok) settings.set('u1', next.settings);
      return next.ok ? { ok: true } : next;
    };
    expect(setPreference('market/price', 'block')).toEqual({ ok: true });
    expect(catalog.servicesFor('u1').map((s) => s.id)).toEqual(['market/joke']);
    expect(setPreference('market/price', null)).toEqual({ ok: true });
    expect(settings.get('u1')?.serviceRules).toEqual([{ serviceId: 'market/price', rule: null, monthlyCap: { unit: 'usd', usdCents: 100 } }]);
    expect(setPreference('market/joke', 'allow')).toEqual({ ok: true });
    expect(catalog.entriesFor('u1').find((e) => e.id === 'market/joke')?.preference).toBe('allow');
    expect(setPreference('nobody/nothing', 'block')).toEqual({ ok: false, reason: 'service_not_found' });
  });
});
