/**
 * The app as it runs: a catalog refresh warms the quote service's price cache for fixed-price
 * services, so a person's first quote of one makes no request to its provider (counted on a local
 * provider). A dynamic-price service depends on its input and is still probed at quote time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CatalogService } from '../../shared/catalog';
import { quoteStepFor } from '../agent/tasks/task-runner';
import { composeServices } from '../compose';
import { openDatabase } from '../db/client';
import { createLogger } from '../logger';
import { createFixedExchangeRate } from '../rails/rates/fixed-rate';

const requests: string[] = [];
let server: Server;
let base: string;

const manifest = () => ({
  version: '0.1',
  quote_endpoint: '/quote',
  services: [
    {
      name: 'joke',
      provider: { id: 'market', name: 'Market' },
      resources: [{ path: '/v1/joke', method: 'GET', pricing: { model: 'fixed', price_msat: 5_000 }, input_schema: { type: 'object', properties: { topic: { type: 'string' } } } }],
    },
    {
      name: 'oracle',
      provider: { id: 'market', name: 'Market' },
      resources: [{ path: '/v1/oracle', method: 'GET', pricing: { model: 'dynamic' }, input_schema: { type: 'object', properties: {} } }],
    },
  ],
});

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/.well-known/l402.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(manifest()));
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('quotes a fixed-price service after a catalog refresh without asking its provider, and still probes a dynamic one', async () => {
  const database = openDatabase(':memory:');
  const graph = composeServices({
    database,
    secretsKey: randomBytes(32),
    logger: createLogger({ level: 'silent' }),
    rates: createFixedExchangeRate(),
    providerUrls: [base],
    sandboxWallets: null,
  });
  try {
    await graph.catalog.refreshAll();
    const catalog = graph.catalog.allServices();
    const byId = new Map(catalog.map((s) => [s.id, s]));
    const quoteOf = (serviceId: string, input: Record<string, unknown>) => {
      const step = { id: 's1', serviceId, input, reason: 'test' };
      return graph.quotes.quotePlan({ userId: 'u1', taskId: `t-${serviceId}`, steps: [quoteStepFor(step, byId.get(serviceId) as CatalogService, [step], (s) => byId.get(s.serviceId))] });
    };
    const afterRefresh = requests.length;

    const fixed = await quoteOf('market/joke', { topic: 'cats' });
    expect(fixed.ok && fixed.quote.steps[0]?.priceMsatMax).toBe(5_000);
    expect(requests.slice(afterRefresh)).toEqual([]);

    // Its price depends on the input: asked at quote time (here refused, the test provider has no quote endpoint).
    await quoteOf('market/oracle', {});
    expect(requests.slice(afterRefresh)).toContain('POST /quote');
  } finally {
    await graph.stop();
    database.close();
  }
});
