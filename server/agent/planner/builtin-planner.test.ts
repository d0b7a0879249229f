import { describe, expect, it } from 'vitest';
import { catalogSchema, plannerResultSchema } from '../../../shared/catalog';
import type { PlannerResult } from '../../../shared/catalog';
import { planRequest } from './builtin-planner';
import fixture from './fixtures/market-catalog.json';

const catalog = catalogSchema.parse(fixture);
const NOW_MS = Date.UTC(2026, 4, 10, 12, 0, 0); // 2026-05-10, a Sunday
const plan = (request: string) => planRequest(request, catalog, { nowMs: NOW_MS });

interface ExpectedStep {
  service: string; // service name; ids are `<provider>/<name>` in the fixture
  input?: Record<string, unknown>;
  /** 1-based index of the step this one takes its text from. */
  from?: number;
}

type Case =
  | { request: string; steps: ExpectedStep[]; notDone?: RegExp }
  | { request: string; clarify: RegExp; field?: string }
  | { request: string; unsupported: RegExp };

const PARAGRAPH =
  'Bitcoin fees rose sharply this week as blocks filled up. Miners earned more than usual. ' +
  'Many users waited hours for confirmations. Lightning payments stayed cheap and fast.';

const CASES: Case[] = [
  // Single service, no parameters.
  { request: 'Tell me a joke', steps: [{ service: 'joke', input: {} }] },
  { request: "What's today's fee estimate?", steps: [{ service: 'fee-estimate', input: {} }] },
  { request: 'BTC price', steps: [{ service: 'btc-price', input: {} }] },
  { request: 'current mempool fee rates please', steps: [{ service: 'fee-estimate', input: {} }] },
  { request: 'make me laugh', steps: [{ service: 'joke' }] },
  // Single service with enum parameters (topics, currencies, periods).
  { request: 'a joke about programming', steps: [{ service: 'joke', input: { topic: 'programming' } }] },
  { request: 'Bitcoin price in euros', steps: [{ service: 'btc-price', input: { currency: 'EUR' } }] },
  { request: 'how much is one bitcoin worth in yen?', steps: [{ service: 'btc-price', input: { currency: 'JPY' } }] },
  { request: 'BTC price in CHF', steps: [{ service: 'btc-price', input: { currency: 'CHF' } }] },
  { request: 'monthly market report', steps: [{ service: 'market-report', input: { period: 'month' } }] },
  { request: 'How volatile was bitcoin this week?', steps: [{ service: 'market-report', input: { period: 'week' } }] },
  // Places and dates.
  { request: "What's the weather in Paris tomorrow?", steps: [{ service: 'weather', input: { city: 'Paris', date: '2026-05-11' } }] },
  { request: 'weather in new york on 2026-06-01', steps: [{ service: 'weather', input: { city: 'New York', date: '2026-06-01' } }] },
  { request: 'Will it rain in Springfield?', steps: [{ service: 'weather', input: { city: 'Springfield' } }] },
  { request: 'temperature in tokyo today', steps: [{ service: 'weather', input: { city: 'Tokyo', date: '2026-05-10' } }] },
  { request: 'weather in Rio de Janeiro', steps: [{ service: 'weather', input: { city: 'Rio de Janeiro' } }] },
  // Numbers matched to the input they count.
  { request: '3 science headlines', steps: [{ service: 'headlines', input: { topic: 'science', count: 3 } }] },
  { request: 'top 7 technology news stories', steps: [{ service: 'headlines', input: { topic: 'technology', count: 7 } }] },
  // Quoted text, the payload after a colon or line break, and languages.
  { request: 'Translate "hello my friend" into German', steps: [{ service: 'translate', input: { text: 'hello my friend', to: 'de' } }] },
  { request: "What's the sentiment of 'The new wallet is slow and buggy'?", steps: [{ service: 'sentiment', input: { text: 'The new wallet is slow and buggy' } }] },
  { request: 'is this review positive or negative: I really enjoyed the food and the service was fast.', steps: [{ service: 'sentiment', input: { text: 'I really enjoyed the food and the service was fast.' } }] },
  { request: `Please summarise the following\n${PARAGRAPH}`, steps: [{ service: 'summarise', input: { text: PARAGRAPH } }] },
  { request: `summarize this in 2 sentences: ${PARAGRAPH}`, steps: [{ service: 'summarise', input: { text: PARAGRAPH, sentences: 2 } }] },
  { request: "say 'good morning' in Portuguese", steps: [{ service: 'translate', input: { text: 'good morning', to: 'pt' } }] },
  // Compound requests: "and", "then", commas and repeated parameters.
  { request: "BTC price and today's fee estimate", steps: [{ service: 'btc-price' }, { service: 'fee-estimate' }] },
  { request: 'Give me 2 bitcoin headlines and a joke', steps: [{ service: 'headlines', input: { topic: 'bitcoin', count: 2 } }, { service: 'joke', input: {} }] },
  { request: 'fee estimate, then a lightning joke', steps: [{ service: 'fee-estimate' }, { service: 'joke', input: { topic: 'lightning' } }] },
  { request: 'weather in Paris and London', steps: [{ service: 'weather', input: { city: 'Paris' } }, { service: 'weather', input: { city: 'London' } }] },
  { request: 'Paris and Berlin weather tomorrow', steps: [{ service: 'weather', input: { city: 'Paris', date: '2026-05-11' } }, { service: 'weather', input: { city: 'Berlin', date: '2026-05-11' } }] },
  { request: 'Bitcoin price in euros and GBP', steps: [{ service: 'btc-price', input: { currency: 'EUR' } }, { service: 'btc-price', input: { currency: 'GBP' } }] },
  { request: "translate 'thank you' to Spanish and French", steps: [{ service: 'translate', input: { text: 'thank you', to: 'es' } }, { service: 'translate', input: { text: 'thank you', to: 'fr' } }] },
  { request: 'weather in Madrid, the BTC price in EUR and the weekly market report', steps: [{ service: 'weather', input: { city: 'Madrid' } }, { service: 'btc-price', input: { currency: 'EUR' } }, { service: 'market-report', input: { period: 'week' } }] },
  // Chained outputs: a later step takes an earlier step's output.
  {
    request: `Summarise this text and translate the summary to Spanish: ${PARAGRAPH}`,
    steps: [{ service: 'summarise', input: { text: PARAGRAPH } }, { service: 'translate', input: { to: 'es' }, from: 1 }],
  },
  { request: 'tell me a joke about programming then translate it to French', steps: [{ service: 'joke', input: { topic: 'programming' } }, { service: 'translate', input: { to: 'fr' }, from: 1 }] },
  { request: `Summarise and then translate into German: ${PARAGRAPH}`, steps: [{ service: 'summarise', input: { text: PARAGRAPH } }, { service: 'translate', input: { to: 'de' }, from: 1 }] },
  {
    request: `summarise this and then analyse the sentiment of the summary: ${PARAGRAPH}`,
    steps: [{ service: 'summarise', input: { text: PARAGRAPH } }, { service: 'sentiment', input: {}, from: 1 }],
  },
  { request: 'weather in Paris, France', steps: [{ service: 'weather', input: { city: 'Paris' } }] },
  { request: "get the sentiment of 'I love this fast wallet' and translate it to Spanish", steps: [{ service: 'sentiment', input: { text: 'I love this fast wallet' } }, { service: 'translate', input: { to: 'es' }, from: 1 }] },
  { request: `summarise and analyse the sentiment of: ${PARAGRAPH}`, steps: [{ service: 'summarise', input: { text: PARAGRAPH } }, { service: 'sentiment', input: { text: PARAGRAPH } }] },
  { request: "translate 'thank you' to Spanish and then to French", steps: [{ service: 'translate', input: { text: 'thank you', to: 'es' } }, { service: 'translate', input: { text: 'thank you', to: 'fr' } }] },
  {
    request: `summarise and then translate into German and French: ${PARAGRAPH}`,
    steps: [{ service: 'summarise', input: { text: PARAGRAPH } }, { service: 'translate', input: { to: 'de' }, from: 1 }, { service: 'translate', input: { to: 'fr' }, from: 1 }],
  },
  { request: '3 headlines about bitcoin and translate them to Spanish', steps: [{ service: 'headlines', input: { topic: 'bitcoin', count: 3 } }, { service: 'translate', input: { to: 'es' }, from: 1 }] },
  { request: 'what is the weather in Buenos Aires on 2026-07-04 and in Cape Town', steps: [{ service: 'weather', input: { city: 'Buenos Aires', date: '2026-07-04' } }, { service: 'weather', input: { city: 'Cape Town', date: '2026-07-04' } }] },
  // Ambiguous or incomplete: ask, naming what is missing.
  { request: 'translate', clarify: /Which English text should I use for translate\?/, field: 'text' },
  { request: 'weather', clarify: /Which city name should I use for weather\?/, field: 'city' },
  { request: 'what will the weather be tomorrow?', clarify: /city/, field: 'city' },
  { request: "translate 'good morning'", clarify: /target language.*Spanish \(es\), French \(fr\), German \(de\), Portuguese \(pt\)/, field: 'to' },
  { request: "translate 'good morning' to Spanglish", unsupported: /translate to Spanglish/ },
  { request: 'summarise', clarify: /text/, field: 'text' },
  { request: 'analyse the sentiment', clarify: /text/, field: 'text' },
  { request: '50 bitcoin headlines', clarify: /headlines cannot take that count/, field: 'count' },
  { request: '', clarify: /What would you like me to do/ },
  { request: 'hello, thanks!', clarify: /What would you like me to do/ },
  // Must not guess: weak single-word matches ask instead of paying.
  { request: 'bitcoin', clarify: /For "bitcoin", did you mean btc-price .* or market-report/ },
  // Unsupported: say plainly which kind of service is missing.
  { request: 'book me a flight to Rome', unsupported: /book me a flight to Rome/ },
  { request: 'Can you please order a pizza?', unsupported: /^order a pizza$/ },
  { request: 'what is the price of tea in China', unsupported: /price of tea in China/ },
  { request: 'pay my electricity bill', unsupported: /electricity bill/ },
  { request: 'convert 100 USD to EUR', unsupported: /convert 100 USD to EUR/ },
  { request: 'send 5000 sats to Alice', unsupported: /send 5000 sats to Alice/ },
  { request: 'translate it to German', clarify: /English text/, field: 'text' },
  { request: 'weather in Paris and book me a hotel', steps: [{ service: 'weather', input: { city: 'Paris' } }], notDone: /book me a hotel/ },
  { request: 'summarise https://example.com/article', unsupported: /fetch the web page at https:\/\/example\.com\/article/ },
];

function check(c: Case, result: PlannerResult) {
  expect(plannerResultSchema.safeParse(result).success).toBe(true);
  if ('steps' in c) {
    expect(result.kind, JSON.stringify(result)).toBe('plan');
    if (result.kind !== 'plan') return;
    const steps = result.plan.steps;
    expect(steps.map((s) => s.serviceId.split('/')[1])).toEqual(c.steps.map((s) => s.service));
    c.steps.forEach((expected, i) => {
      const step = steps[i];
      if (expected.input) expect(step?.input).toEqual(expected.input);
      if (expected.from === undefined) expect(step?.inputFrom).toBeUndefined();
      else expect(step?.inputFrom).toMatchObject({ stepId: steps[expected.from - 1]?.id, field: 'text' });
    });
    // A partial plan says what it leaves out; a whole one leaves nothing out.
    if (c.notDone) expect(result.plan.notDone?.map((n) => n.said).join('; ')).toMatch(c.notDone);
    else expect(result.plan.notDone).toBeUndefined();
  } else if ('clarify' in c) {
    expect(result.kind, JSON.stringify(result)).toBe('clarify');
    if (result.kind !== 'clarify') return;
    expect(result.question).toMatch(c.clarify);
    if (c.field) expect(result.missingInput?.field).toBe(c.field);
  } else {
    expect(result.kind, JSON.stringify(result)).toBe('unsupported');
    if (result.kind !== 'unsupported') return;
    expect(result.missing).toMatch(c.unsupported);
    expect(result.message).toContain(result.missing);
  }
}

describe('built-in planner: example requests', () => {
  it('has enough examples of each kind', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => 'steps' in c && c.steps.length > 1).length).toBeGreaterThanOrEqual(10);
    expect(CASES.filter((c) => 'unsupported' in c).length).toBeGreaterThanOrEqual(5);
  });

  it.each(CASES.map((c) => [c.request.slice(0, 70), c] as const))('%s', (_label, c) => {
    check(c, plan(c.request));
  });
});

describe('built-in planner: properties', () => {
  it('is deterministic: the same catalog and text give the same result, whatever the catalog order', () => {
    for (const c of CASES) {
      const first = plan(c.request);
      expect(planRequest(c.request, catalog, { nowMs: NOW_MS })).toEqual(first);
      expect(planRequest(c.request, [...catalog].reverse(), { nowMs: NOW_MS })).toEqual(first);
    }
  });

  it('never plans against an empty catalog', () => {
    const result = planRequest('Tell me a joke', [], { nowMs: NOW_MS });
    expect(result).toMatchObject({ kind: 'unsupported', missing: 'tell me a joke' });
  });

  it('a stricter relevance threshold turns a plan into a question or a refusal, never another service', () => {
    expect(planRequest('BTC price', catalog, { minScore: 1000 }).kind).not.toBe('plan');
    expect(planRequest('BTC price', catalog, { minScore: 0.1 })).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'block-data/btc-price' }] } });
  });

  it('leaves relative dates to the provider when no clock is given', () => {
    const result = planRequest('weather in Paris tomorrow', catalog);
    expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ input: { city: 'Paris' } }] } });
    if (result.kind === 'plan') expect(result.plan.steps[0]?.input).not.toHaveProperty('date');
  });

  it('asks which service when two score alike', () => {
    // Its answer is not published, so it is not known to be the same service: the person chooses.
    const { outputSchema: _unpublished, ...joke } = catalog.find((s) => s.name === 'joke')!;
    const twin = { ...joke, id: 'other-jokes/joke', providerId: 'other-jokes', providerName: 'Other Jokes' };
    const result = planRequest('tell me a joke', [...catalog, twin]);
    expect(result.kind).toBe('clarify');
    if (result.kind === 'clarify') expect(result.question).toMatch(/did you mean joke .* or joke/);
  });

  it('explains each step in words a person can read', () => {
    const result = plan("What's the weather in Paris tomorrow?");
    expect(result.kind).toBe('plan');
    if (result.kind === 'plan') expect(result.plan.steps[0]?.reason).toBe('"What\'s the weather in Paris tomorrow" matches weather (SkyCast); city: Paris; date: 2026-05-11.');
  });

  it('asks for fewer things at once beyond 8 steps', () => {
    const result = plan(Array.from({ length: 9 }, () => 'a joke').join(' and '));
    expect(result).toMatchObject({ kind: 'clarify', question: expect.stringMatching(/more than 8 things/) });
    expect(plan(Array.from({ length: 8 }, () => 'a joke').join(' and ')).kind).toBe('plan');
  });

  it('keeps the words inside a quote together, even "and" and "then"', () => {
    const result = plan("translate 'bread and butter, then jam' to French");
    expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ input: { text: 'bread and butter, then jam', to: 'fr' } }] } });
    if (result.kind === 'plan') expect(result.plan.steps).toHaveLength(1);
  });
});
