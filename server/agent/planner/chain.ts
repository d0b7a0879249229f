/**
 * Completes a chained step's input from an earlier step's output, for the task runner. When the plan
 * names no output field the text is picked by a rule: a string output as is; else the producer's
 * published main text field (`outputTextField`, from its output schema); else, for providers that
 * publish none, the string field named like the producing service ("summary" from summarise,
 * "translation" from translate); else the output's sentences joined (a joke's setup and punchline).
 */
import type { CatalogService, PlanStep } from '../../../shared/catalog';
import { measureText } from '../../../shared/text-measure';
import type { ChainedInputBound } from '../../domain/quotes';
import { stem, terms } from './text/terms';

export type ChainedInput =
  | { ok: true; input: Record<string, unknown> }
  | { ok: false; reason: 'missing_output' | 'no_text_in_output'; stepId: string };

export function resolveStepInput(step: PlanStep, outputs: ReadonlyMap<string, unknown>, producer: CatalogService | undefined): ChainedInput {
  const source = step.inputFrom;
  if (!source) return { ok: true, input: step.input };
  if (!outputs.has(source.stepId)) return { ok: false, reason: 'missing_output', stepId: source.stepId };
  const text = textOf(outputs.get(source.stepId), source.outputField, producer);
  if (text === undefined) return { ok: false, reason: 'no_text_in_output', stepId: source.stepId };
  return { ok: true, input: { ...step.input, [source.field]: text } };
}

function textOf(output: unknown, outputField: string | undefined, producer: CatalogService | undefined): string | undefined {
  if (typeof output === 'string') return nonEmpty(output);
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return undefined;
  const fields = Object.entries(output as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '');
  if (outputField !== undefined) return nonEmpty(fields.find(([name]) => name === outputField)?.[1]);
  const published = fields.find(([name]) => name === producer?.outputTextField);
  if (published) return published[1];
  const serviceStems = new Set(producer ? terms(producer.name) : []);
  const named = fields.find(([name]) => serviceStems.has(stem(name)));
  if (named) return named[1];
  // Sentences, not codes or labels ("en", "positive"): values with at least one space.
  return nonEmpty(fields.filter(([, value]) => /\s/.test(value.trim())).map(([, value]) => value.trim()).join(' '));
}

function nonEmpty(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text : undefined;
}

/**
 * How long a chained step's text can be, from what the producing service publishes: its main text is
 * an excerpt of one of its inputs (`outputTextWithin`: measured now, or that input's own bound when it
 * is chained too), or has a maximum length in its output schema. Unbounded (null) otherwise.
 */
export function chainedInputBound(
  step: PlanStep,
  steps: readonly PlanStep[],
  serviceOf: (step: PlanStep) => CatalogService | undefined,
): ChainedInputBound | undefined {
  const source = step.inputFrom;
  if (!source) return undefined;
  const unbounded: ChainedInputBound = { field: source.field, maxChars: null, maxWords: null };
  const producerStep = steps.find((s) => s.id === source.stepId);
  const producer = producerStep && serviceOf(producerStep);
  if (!producerStep || !producer || (source.outputField !== undefined && source.outputField !== producer.outputTextField)) return unbounded;
  const within = producer.outputTextWithin;
  const excerptOf = within === undefined ? undefined : producerStep.input[within];
  if (typeof excerptOf === 'string') {
    const measured = measureText(excerptOf);
    return { field: source.field, maxChars: measured.chars, maxWords: measured.words };
  }
  if (within !== undefined && producerStep.inputFrom?.field === within) {
    const inner = chainedInputBound(producerStep, steps, serviceOf);
    if (inner) return { ...inner, field: source.field };
  }
  const maxLength = producer.outputTextMaxLength;
  // A text of n characters has at most ceil(n / 2) words: each needs a character and a separator.
  if (maxLength !== undefined) return { field: source.field, maxChars: maxLength, maxWords: Math.ceil(maxLength / 2) };
  return unbounded;
}
