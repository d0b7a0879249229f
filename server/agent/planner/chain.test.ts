import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import type { PlanStep } from '../../../shared/catalog';
import { chainedInputBound, checkChains, resolveStepInput } from './chain';
import fixture from './fixtures/market-catalog.json';

const catalog = catalogSchema.parse(fixture);
const service = (name: string) => catalog.find((s) => s.name === name);
const translate: PlanStep = { id: 's2', serviceId: 'wordsmith/translate', input: { to: 'es' }, inputFrom: { stepId: 's1', field: 'text' }, reason: '' };

describe('resolveStepInput', () => {
  it('takes the field named like the producing service: summary from summarise, translation from translate', () => {
    const summary = { summary: 'Fees rose.', sentences_in: 4, sentences_out: 1, compression_pct: 20 };
    expect(resolveStepInput(translate, new Map([['s1', summary]]), service('summarise'))).toEqual({ ok: true, input: { to: 'es', text: 'Fees rose.' } });
    const translation = { from: 'en', to: 'fr', translation: 'bonjour le monde', method: 'Wordsmith phrasebook (word by word, sandbox)' };
    expect(resolveStepInput(translate, new Map([['s1', translation]]), service('translate'))).toMatchObject({ ok: true, input: { text: 'bonjour le monde' } });
  });

  it("prefers the producer's published output text field, and falls back when the output lacks it", () => {
    const report = {
      title: 'Bitcoin weekly market report',
      summary: 'Over the past week, bitcoin rallied.',
      disclaimer: 'Generated locally. Not financial advice.',
    };
    const producer = service('market-report');
    expect(producer?.outputTextField).toBe('summary');
    expect(resolveStepInput(translate, new Map([['s1', report]]), producer)).toMatchObject({ ok: true, input: { text: 'Over the past week, bitcoin rallied.' } });
    // Without the published field, the schema still tells sentences from labels: the title and the
    // disclaimer (where the report came from) are not what the person wants translated.
    const unpublished = producer && { ...producer, outputTextField: undefined };
    expect(resolveStepInput(translate, new Map([['s1', report]]), unpublished)).toMatchObject({ ok: true, input: { text: 'Over the past week, bitcoin rallied.' } });
    // A producer that publishes no schema keeps the old rule: every sentence-like value, joined.
    const schemaless = producer && { ...producer, outputTextField: undefined, outputSchema: undefined };
    expect(resolveStepInput(translate, new Map([['s1', report]]), schemaless)).toMatchObject({
      ok: true,
      input: { text: 'Bitcoin weekly market report Over the past week, bitcoin rallied. Generated locally. Not financial advice.' },
    });
  });

  it('reads the text inside a list (each headline), not its labels', () => {
    const headlines = { topic: 'science', date: '2026-05-10', headlines: [{ id: 'h1', headline: 'Coral reefs recover faster', outlet: 'Open Wire', minutes_to_read: 3 }, { id: 'h2', headline: 'Quantum sensors defy models', outlet: 'Ledger Daily', minutes_to_read: 4 }] };
    expect(resolveStepInput(translate, new Map([['s1', headlines]]), service('headlines'))).toEqual({ ok: true, input: { to: 'es', text: 'Coral reefs recover faster. Quantum sensors defy models.' } });
  });

  it("translates a forecast's facts as a sentence, never its source label", () => {
    const forecast = { city: 'Paris', date: '2026-05-11', condition: 'light rain', temperature_c: { min: 8.14, max: 12.3 }, precipitation_mm: 2.4, humidity_pct: 80, wind_kph: 14, source: 'SkyCast synthetic model (sandbox)' };
    const resolved = resolveStepInput(translate, new Map([['s1', forecast]]), service('weather'));
    expect(resolved).toEqual({ ok: true, input: { to: 'es', text: 'Paris, Monday 11 May, light rain: temperature 8.14 to 12.3 °C; precipitation 2.4 mm; humidity 80%; wind 14 km/h.' } });
  });

  it('joins the sentences of an output with no such field (a joke), and honours an explicit output field', () => {
    const joke = { topic: 'bitcoin', setup: 'Why do miners never get lost?', punchline: 'They always follow the longest chain.' };
    expect(resolveStepInput(translate, new Map([['s1', joke]]), service('joke'))).toMatchObject({
      ok: true,
      input: { text: 'Why do miners never get lost? They always follow the longest chain.' },
    });
    const explicit = { ...translate, inputFrom: { stepId: 's1', field: 'text', outputField: 'punchline' } };
    expect(resolveStepInput(explicit, new Map([['s1', joke]]), service('joke'))).toMatchObject({ ok: true, input: { text: 'They always follow the longest chain.' } });
  });

  it('names what is missing instead of sending an empty input', () => {
    expect(resolveStepInput(translate, new Map(), service('summarise'))).toEqual({ ok: false, reason: 'missing_output', stepId: 's1' });
    const empty = { summary: '', sentences_in: 0, sentences_out: 0, compression_pct: 0 };
    expect(resolveStepInput(translate, new Map([['s1', empty]]), service('summarise'))).toEqual({ ok: false, reason: 'no_text_in_output', stepId: 's1' });
    const unchained: PlanStep = { id: 's1', serviceId: 'skycast/weather', input: { city: 'Paris' }, reason: '' };
    expect(resolveStepInput(unchained, new Map(), undefined)).toEqual({ ok: true, input: { city: 'Paris' } });
  });
});

describe('chainedInputBound', () => {
  const summarise: PlanStep = { id: 's1', serviceId: 'wordsmith/summarise', input: { text: 'Fees rose sharply. Blocks filled up; miners earned more.' }, reason: '' };
  const serviceOf = (step: PlanStep) => catalog.find((s) => s.id === step.serviceId);

  it("bounds translating a summary by the summarised text: the summary is an excerpt of it (output_text_within)", () => {
    expect(service('summarise')?.outputTextWithin).toBe('text');
    expect(chainedInputBound(translate, [summarise, translate], serviceOf)).toEqual({ field: 'text', maxChars: 56, maxWords: 9 });
  });

  it("uses the output schema's maxLength when that is all there is, and is unbounded without either", () => {
    const published = (step: PlanStep) => {
      const found = serviceOf(step);
      return found && { ...found, outputTextWithin: undefined, outputTextMaxLength: step.id === 's1' ? 101 : undefined };
    };
    expect(chainedInputBound(translate, [summarise, translate], published)).toEqual({ field: 'text', maxChars: 101, maxWords: 51 });
    const joke: PlanStep = { id: 's1', serviceId: 'satoshi-jokes/joke', input: {}, reason: '' };
    expect(chainedInputBound(translate, [joke, translate], serviceOf)).toEqual({ field: 'text', maxChars: null, maxWords: null });
    expect(chainedInputBound(summarise, [summarise], serviceOf)).toBeUndefined();
  });
});

describe('checkChains (before anything is quoted)', () => {
  const serviceOf = (step: PlanStep) => catalog.find((s) => s.id === step.serviceId);
  const step = (id: string, name: string, input: Record<string, unknown>, from?: { stepId: string; field: string; outputField?: string }): PlanStep => ({
    id,
    serviceId: catalog.find((s) => s.name === name)?.id ?? name,
    input,
    ...(from ? { inputFrom: from } : {}),
    reason: '',
  });

  it('names the output path every chained step will read, chosen by the producer schema', () => {
    const plan = [step('s1', 'headlines', { topic: 'science' }), step('s2', 'summarise', {}, { stepId: 's1', field: 'text' }), step('s3', 'translate', { to: 'es' }, { stepId: 's2', field: 'text' })];
    const checked = checkChains(plan, serviceOf);
    expect(checked.ok && checked.steps.map((s) => s.inputFrom?.outputField)).toEqual([undefined, 'headlines[].headline', 'summary']);
    const weather = checkChains([step('s1', 'weather', { city: 'Paris' }), step('s2', 'translate', { to: 'es' }, { stepId: 's1', field: 'text' })], serviceOf);
    expect(weather.ok && weather.steps[1]?.inputFrom?.outputField).toBe('$readable');
  });

  it('refuses a chain into an input that takes no text, from a field the producer does not publish, or from a later step', () => {
    expect(checkChains([step('s1', 'joke', {}), step('s2', 'translate', { text: 'hi' }, { stepId: 's1', field: 'to' })], serviceOf)).toMatchObject({ ok: false, reason: 'not_a_text_input', stepId: 's2' });
    expect(checkChains([step('s1', 'weather', { city: 'Paris' }), step('s2', 'translate', { to: 'es' }, { stepId: 's1', field: 'text', outputField: 'source_label' })], serviceOf)).toMatchObject({ ok: false, reason: 'no_text_in_output' });
    expect(checkChains([step('s1', 'translate', { to: 'es' }, { stepId: 's2', field: 'text' }), step('s2', 'joke', {})], serviceOf)).toMatchObject({ ok: false, reason: 'unknown_source' });
  });

  it('refuses a chain whose producer may return more than the consumer accepts', () => {
    const long = 'Fees rose. '.repeat(1_500); // 16,500 characters: a summary of it may be as long
    const plan = [step('s1', 'summarise', { text: long }), step('s2', 'translate', { to: 'de' }, { stepId: 's1', field: 'text' })];
    expect(checkChains(plan, serviceOf)).toMatchObject({ ok: false, reason: 'too_long_for_input', stepId: 's2' });
  });

  it('refuses a chain from a producer that says nothing of its answer', () => {
    const silent = catalog.map((s) => (s.name === 'joke' ? { ...s, outputSchema: undefined } : s));
    const plan = [step('s1', 'joke', {}), step('s2', 'translate', { to: 'es' }, { stepId: 's1', field: 'text' })];
    expect(checkChains(plan, (p) => silent.find((s) => s.id === p.serviceId))).toMatchObject({ ok: false, reason: 'no_text_in_output' });
  });
});
