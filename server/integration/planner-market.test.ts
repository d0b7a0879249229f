/**
 * The built-in planner on the sandbox market's real manifest: the served manifest maps to a catalog,
 * requests plan to the right services on what the market publishes (tags, examples, schemas), and
 * every planned input is one the market itself accepts (it answers 402 with a challenge, never 400),
 * so a plan never leads to a refused paid call.
 *
 * The unit tests' fixtures are generated here from the served manifest, so they cannot drift from it:
 * this file fails while they differ, and `vitest run <this file> -u` rewrites them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogService, PlanStep } from '../../shared/catalog';
import { manifestToCatalog } from '../agent/catalog/manifest-to-catalog';
import { planRequest } from '../agent/planner/builtin-planner';
import { MARKET_PROVIDERS, startMarket } from '../sandbox/market';
import type { RunningMarket } from '../sandbox/market';
import { createTestInvoicer } from '../sandbox/market/test-invoicer';

const NOW_MS = Date.UTC(2026, 4, 10, 12);
const PARAGRAPH =
  'Bitcoin fees rose sharply this week as blocks filled up. Miners earned more than usual. ' +
  'Many users waited hours for confirmations. Lightning payments stayed cheap and fast.';

// The unit tests' fixtures are mapped as if served from here, so they do not depend on a port.
const FIXTURE_ORIGIN = 'http://market.example';

let market: RunningMarket;
let servedManifest: unknown;
let catalog: CatalogService[];

beforeAll(async () => {
  const invoicers = new Map(MARKET_PROVIDERS.map((p) => [p.id, createTestInvoicer()]));
  market = await startMarket({
    host: '127.0.0.1',
    port: 0,
    invoicerFor: (id) => {
      const invoicer = invoicers.get(id);
      if (!invoicer) throw new Error(`unknown provider ${id}`);
      return invoicer;
    },
  });
  const response = await fetch(`${market.url}/.well-known/l402.json`);
  servedManifest = await response.json();
  const mapped = manifestToCatalog(servedManifest, market.url);
  if (!mapped.ok) throw new Error(`market manifest refused: ${mapped.detail}`);
  expect(mapped.skipped).toEqual([]);
  catalog = mapped.services;
});

afterAll(async () => market.close());

/** Calls the service with no credential: a valid input gets a 402 challenge, an invalid one a 400. */
async function statusFor(step: PlanStep, chainedText = 'Fees rose this week.'): Promise<number> {
  const service = catalog.find((s) => s.id === step.serviceId);
  if (!service) throw new Error(`no service ${step.serviceId}`);
  const input = step.inputFrom ? { ...step.input, [step.inputFrom.field]: chainedText } : step.input;
  const url = new URL(service.path, market.url);
  if (service.inputIn === 'query') {
    for (const [key, value] of Object.entries(input)) url.searchParams.set(key, String(value));
    return (await fetch(url)).status;
  }
  return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).status;
}

describe('planner on the live sandbox market manifest', () => {
  it("is what the agent's fixtures hold: the manifest snapshot and the planner's catalog mapped from it", async () => {
    const asFile = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    await expect(asFile(servedManifest)).toMatchFileSnapshot('../agent/catalog/fixtures/market-manifest.json');
    const mapped = manifestToCatalog(servedManifest, FIXTURE_ORIGIN);
    expect(mapped.ok).toBe(true);
    await expect(asFile(mapped.ok && mapped.services)).toMatchFileSnapshot('../agent/planner/fixtures/market-catalog.json');
  });

  it('publishes tags, examples and main text fields, so ranking and chaining use what the market says', () => {
    const byName = new Map(catalog.map((s) => [s.name, s]));
    for (const service of catalog) expect([service.name, service.tags.length > 0, service.examples.length > 0]).toEqual([service.name, true, true]);
    expect(byName.get('summarise')?.outputTextField).toBe('summary');
    expect(byName.get('translate')?.outputTextField).toBe('translation');
    expect(byName.get('joke')).not.toHaveProperty('outputTextField');
  });

  it.each([
    ["BTC price and today's fee estimate", ['btc-price', 'fee-estimate']],
    ['Tell me a joke about programming', ['joke']],
    ['weather in Paris and London tomorrow', ['weather', 'weather']],
    ['Bitcoin price in euros', ['btc-price']],
    ['5 science headlines', ['headlines']],
    ['monthly market report', ['market-report']],
    [`Summarise this text and translate the summary to Spanish: ${PARAGRAPH}`, ['summarise', 'translate']],
    ["What's the sentiment of 'I love this fast wallet'?", ['sentiment']],
  ])('plans "%s" to services the market accepts', async (request, services) => {
    const result = planRequest(request, catalog, { nowMs: NOW_MS });
    expect(result.kind, JSON.stringify(result)).toBe('plan');
    if (result.kind !== 'plan') return;
    expect(result.plan.steps.map((s) => s.serviceId.split('/')[1])).toEqual(services);
    for (const step of result.plan.steps) expect(await statusFor(step)).toBe(402);
  });

  it('asks or refuses instead of guessing', () => {
    expect(planRequest('translate', catalog)).toMatchObject({ kind: 'clarify', missingInput: { serviceId: 'wordsmith/translate', field: 'text' } });
    expect(planRequest('book me a flight to Rome', catalog)).toMatchObject({ kind: 'unsupported', missing: 'book me a flight to Rome' });
    expect(planRequest('bitcoin', catalog).kind).toBe('clarify');
  });
});
