/**
 * The built-in planner on the sandbox market's real manifest: the served manifest maps to a catalog
 * (and still matches the snapshot the unit tests use), requests plan to the right services without
 * any tags or examples, and every planned input is one the market itself accepts (it answers 402 with
 * a challenge, never 400), so a plan never leads to a refused paid call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogService, PlanStep } from '../../shared/catalog';
import { manifestToCatalog } from '../agent/catalog/manifest-to-catalog';
import manifestSnapshot from '../agent/catalog/fixtures/market-manifest.json';
import { planRequest } from '../agent/planner/builtin-planner';
import { MARKET_PROVIDERS, startMarket } from '../sandbox/market';
import type { RunningMarket } from '../sandbox/market';
import { createTestInvoicer } from '../sandbox/market/test-invoicer';

const NOW_MS = Date.UTC(2026, 4, 10, 12);
const PARAGRAPH =
  'Bitcoin fees rose sharply this week as blocks filled up. Miners earned more than usual. ' +
  'Many users waited hours for confirmations. Lightning payments stayed cheap and fast.';

let market: RunningMarket;
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
  const mapped = manifestToCatalog(await response.json(), market.url);
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
  it('maps the served manifest to the same catalog as the committed snapshot', () => {
    const snapshot = manifestToCatalog(manifestSnapshot, market.url);
    expect(snapshot.ok && snapshot.services).toEqual(catalog);
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
