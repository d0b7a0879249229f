import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../shared/catalog';
import type { PlanStep } from '../../../shared/catalog';
import { chainedInputBound, resolveStepInput } from './chain';
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
    // Without the published field the old rule would join every sentence-like value.
    const unpublished = producer && { ...producer, outputTextField: undefined };
    expect(resolveStepInput(translate, new Map([['s1', report]]), unpublished)).toMatchObject({
      ok: true,
      input: { text: 'Bitcoin weekly market report Over the past week, bitcoin rallied. Generated locally. Not financial advice.' },
    });
    const { summary: _dropped, ...withoutSummary } = report;
    expect(resolveStepInput(translate, new Map([['s1', withoutSummary]]), producer)).toMatchObject({
      ok: true,
      input: { text: 'Bitcoin weekly market report Generated locally. Not financial advice.' },
    });
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
    const sentiment = { label: 'positive', score: 0.6, matched_terms: [] };
    expect(resolveStepInput(translate, new Map([['s1', sentiment]]), service('sentiment'))).toEqual({ ok: false, reason: 'no_text_in_output', stepId: 's1' });
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
