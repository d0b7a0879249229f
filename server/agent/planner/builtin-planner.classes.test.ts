/**
 * The failure classes of issue 13, one block each, on the sandbox market's catalog. Each of these
 * failed on the planner before it (chains paid then failed, one clause refused everything, word
 * overlap taken for meaning, no sense of quantity, quotes bound to the wrong clause, defaults that
 * surprise, follow-ups not understood).
 */
import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import type { PlannerResult } from '../../../shared/catalog';
import { planRequest } from './builtin-planner';
import fixture from './fixtures/market-catalog.json';

const catalog = catalogSchema.parse(fixture);
const NOW_MS = Date.UTC(2026, 4, 10, 12);
const plan = (text: string, previous?: { request: string; text: string }) => planRequest(text, catalog, { nowMs: NOW_MS, ...(previous ? { previous } : {}) });
const services = (result: PlannerResult) => (result.kind === 'plan' ? result.plan.steps.map((s) => s.serviceId.split('/')[1]) : result.kind);
const TEXT = 'Bitcoin fees rose sharply this week as blocks filled up. Miners earned more than usual. Lightning payments stayed cheap and fast.';

describe('1. chains are planned against what the first step returns', () => {
  it('headlines then summarise reads the text inside the list', () => {
    const result = plan('3 bitcoin headlines and summarise them');
    expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'daily-ledger/headlines' }, { serviceId: 'wordsmith/summarise', inputFrom: { stepId: 's1', outputField: 'headlines[].headline' } }] } });
  });

  it("a forecast then translate translates the forecast's sentence, never its source label", () => {
    const result = plan('weather in Paris tomorrow and translate it to Spanish');
    expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'skycast/weather' }, { serviceId: 'wordsmith/translate', inputFrom: { outputField: '$readable' } }] } });
  });
});

describe('2. clauses that ask for nothing are skipped; one no service does leaves the plan partial', () => {
  it.each([
    ["Quick question: what's the BTC price?", ['btc-price']],
    ['Hello! I run a small cafe in Lisbon. What is the weather there tomorrow?', ['weather']],
    ["I'm sending some coins later, what are fees like right now?", ['fee-estimate']],
    ['Thank you so much, that was great. Could I also get the fee estimate?', ['fee-estimate']],
  ])('%s', (text, expected) => {
    expect(services(plan(text))).toEqual(expected);
  });

  it('an ask no service does is said before paying, and the rest is planned', () => {
    const result = plan('tell me a joke and order me a pizza');
    expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'satoshi-jokes/joke' }], notDone: [{ said: 'order me a pizza' }] } });
  });

  it('a request whose point no service does is refused with things that can be asked', () => {
    expect(plan('book me a flight to Rome')).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/You can ask, for example: "/) });
  });
});

describe('3. matching by meaning, not word overlap', () => {
  it.each(['what will the bitcoin price be next week?', 'price of ethereum', "what's the exchange rate between euros and dollars", 'what time is it in Tokyo?'])('refuses "%s" instead of paying for today', (text) => {
    expect(plan(text).kind).toBe('unsupported');
  });

  it.each([
    ['wether in london tmrw', { city: 'London', date: '2026-05-11' }],
    ['do I need an umbrella in London tomorrow', { city: 'London', date: '2026-05-11' }],
  ])('understands typos, abbreviations and synonyms: %s', (text, input) => {
    expect(plan(text)).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'skycast/weather', input }] } });
  });

  it('asks about a language the service does not offer instead of translating into another', () => {
    expect(plan("translate 'bonjour' from French to English").kind).toBe('clarify');
  });
});

describe('4. quantities and repetition', () => {
  it('"two jokes" is two different jokes', () => {
    const result = plan('two jokes');
    expect(services(result)).toEqual(['joke', 'joke']);
    if (result.kind === 'plan') expect(result.plan.steps[0]?.input).not.toEqual(result.plan.steps[1]?.input);
  });

  it('two sentences about one thing pay it once', () => {
    expect(services(plan("What's the bitcoin price? I mean the BTC price in dollars."))).toEqual(['btc-price']);
  });

  it('"the sentiment of A and of B" is two calls', () => {
    expect(plan("the sentiment of 'Great product' and of 'Terrible support'")).toMatchObject({ kind: 'plan', plan: { steps: [{ input: { text: 'Great product' } }, { input: { text: 'Terrible support' } }] } });
  });

  it('more than five of one thing is asked about, not quietly capped', () => {
    expect(plan('20 jokes').kind).toBe('clarify');
  });
});

describe('5. quoted text stays with its clause', () => {
  it('summarise "X" and translate the summary', () => {
    expect(plan(`summarise "${TEXT}" and translate the summary to German`)).toMatchObject({
      kind: 'plan',
      plan: { steps: [{ serviceId: 'wordsmith/summarise', input: { text: TEXT } }, { serviceId: 'wordsmith/translate', input: { to: 'de' }, inputFrom: { stepId: 's1' } }] },
    });
  });

  it.each([`summarise and translate to german: ${TEXT}`, `summarise "${TEXT}" and translate to German`, `pls summarize in 2 sentences & translate to german: ${TEXT}`])(
    'the text goes to the first ask and the second works on its output: %s',
    (text) => {
      const result = plan(text);
      expect(result).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'wordsmith/summarise', input: { text: TEXT } }, { serviceId: 'wordsmith/translate', input: { to: 'de' }, inputFrom: { stepId: 's1' } }] } });
      expect(result.kind === 'plan' && result.plan.steps[1]?.input.text).toBeUndefined();
    },
  );

  it('a first ask that makes no text of its own leaves the text to the second', () => {
    expect(plan(`check the sentiment and summarise: ${TEXT}`)).toMatchObject({
      kind: 'plan',
      plan: { steps: [{ serviceId: 'wordsmith/sentiment', input: { text: TEXT } }, { serviceId: 'wordsmith/summarise', input: { text: TEXT } }] },
    });
  });
});

describe('6. a topic the person named is kept or asked about, never swapped for the default', () => {
  it('keeps "science" and asks about "sports"', () => {
    expect(plan('science headlines')).toMatchObject({ kind: 'plan', plan: { steps: [{ input: { topic: 'science' } }] } });
    expect(plan('headlines about sports').kind).not.toBe('plan');
  });

  it.each(['headlines about sports', 'sports news', 'football headlines please'])('"%s" is a question naming the topics on offer, not a refusal', (text) => {
    const result = plan(text);
    expect(result).toMatchObject({ kind: 'clarify', missingInput: { serviceId: 'daily-ledger/headlines', field: 'topic' } });
    expect(result.kind === 'clarify' && result.question).toMatch(/no (sports|football) topic.*bitcoin, technology, economy, science/);
  });
});

describe('7. follow-ups use the previous answer without paying for it again', () => {
  const previous = { request: 'tell me a joke', text: 'Why do miners never get lost? They always follow the longest chain.' };

  it('"translate that into French" translates the answer', () => {
    expect(plan('translate that into French', previous)).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'wordsmith/translate', input: { text: previous.text, to: 'fr' } }] } });
  });

  describe('a previous answer of several steps', () => {
    const summary = 'Fees rose sharply this week; Lightning stayed cheap.';
    const german = 'Die Gebühren stiegen diese Woche stark; Lightning blieb günstig.';
    const chained = {
      request: `summarise and translate to german: ${TEXT}`,
      text: german,
      parts: [
        { names: ['summarise', 'summary', 'tl;dr', 'summary'], text: summary },
        { names: ['translate', 'translation', 'language', 'translation'], text: german },
      ],
    };

    it.each([
      ['what is the sentiment of the summary?', 'wordsmith/sentiment', summary],
      ['translate the summary into French', 'wordsmith/translate', summary],
      ['check the sentiment of the translation', 'wordsmith/sentiment', german],
      ['how positive is that', 'wordsmith/sentiment', german],
    ])('"%s" takes the step it names, or the final answer', (text, serviceId, expected) => {
      expect(plan(text, chained)).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId, input: { text: expected } }] } });
    });

    it('says which part of the previous answer it uses', () => {
      const result = plan('translate the summary into French', chained);
      expect(result.kind === 'plan' && result.plan.steps[0]?.reason).toContain('the summary in your previous answer');
    });
  });

  it('"and tomorrow?" repeats the previous request with the new date', () => {
    expect(plan('and tomorrow?', { request: 'weather in Paris', text: 'Paris: light rain.' })).toMatchObject({ kind: 'plan', plan: { steps: [{ serviceId: 'skycast/weather', input: { city: 'Paris', date: '2026-05-11' } }] } });
  });
});
