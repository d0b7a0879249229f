/**
 * Chains: one step's input taken from an earlier step's output. The output's text is found through
 * the schema its provider published (`server/agent/outputs/output-text.ts`): the main text field, the
 * list the answer is made of (each headline's `headline`), or the sentence its facts make (a
 * forecast). `checkChains` runs before anything is quoted: every chained step names the output path
 * it reads, the path exists in the producer's schema, and the text can be a valid input for the
 * consumer; a chain that cannot is refused before money moves. The task runner later reads exactly
 * that path (`resolveStepInput`).
 */
import type { CatalogService, PlanStep } from '../../../shared/catalog';
import { measureText } from '../../../shared/text-measure';
import type { ChainedInputBound } from '../../domain/quotes';
import { textAtPath, textPathOf } from '../outputs/output-text';
import type { ReadableOptions } from '../outputs/readable';
import { stem, terms } from './text/terms';

export type ChainedInput =
  | { ok: true; input: Record<string, unknown> }
  | { ok: false; reason: 'missing_output' | 'no_text_in_output'; stepId: string };

export function resolveStepInput(step: PlanStep, outputs: ReadonlyMap<string, unknown>, producer: CatalogService | undefined, options: ReadableOptions = {}): ChainedInput {
  const source = step.inputFrom;
  if (!source) return { ok: true, input: step.input };
  if (!outputs.has(source.stepId)) return { ok: false, reason: 'missing_output', stepId: source.stepId };
  const output = outputs.get(source.stepId);
  const text = producer?.outputSchema ? textFromSchema(output, source.outputField, producer, options) : textOf(output, source.outputField, producer);
  if (text === undefined) return { ok: false, reason: 'no_text_in_output', stepId: source.stepId };
  return { ok: true, input: { ...step.input, [source.field]: text } };
}

function textFromSchema(output: unknown, outputField: string | undefined, producer: CatalogService, options: ReadableOptions): string | undefined {
  if (typeof output === 'string') return nonEmpty(output);
  const path = textPathOf(producer.outputSchema, producer.outputTextField, outputField);
  return path === undefined ? undefined : textAtPath(output, path, producer.outputSchema, options);
}

/** For a producer that publishes no output schema: the rule the runner used before schemas were read. */
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

export type ChainCheck =
  | { ok: true; steps: PlanStep[] }
  | { ok: false; stepId: string; reason: 'unknown_source' | 'not_a_text_input' | 'no_text_in_output' | 'too_long_for_input'; message: string };

/**
 * Checks every chained step before anything is quoted, and names the output path each one reads
 * (`inputFrom.outputField`), so what is quoted is what runs. A chain whose next step could not get a
 * valid input is refused here, never discovered after the first step is paid.
 */
export function checkChains(steps: readonly PlanStep[], serviceOf: (step: PlanStep) => CatalogService | undefined): ChainCheck {
  const checked: PlanStep[] = [];
  for (const [index, step] of steps.entries()) {
    const source = step.inputFrom;
    if (!source) {
      checked.push(step);
      continue;
    }
    const producerStep = steps.slice(0, index).find((s) => s.id === source.stepId);
    const producer = producerStep && serviceOf(producerStep);
    const consumer = serviceOf(step);
    if (!producerStep || !producer || !consumer) return refuse(step, 'unknown_source', `Step ${step.id} takes the result of ${source.stepId}, which is not an earlier step of this plan.`);
    const property = consumer.inputSchema.properties?.[source.field];
    if (!property || property['type'] !== 'string' || Array.isArray(property['enum']) || 'format' in property) {
      return refuse(step, 'not_a_text_input', `${consumer.name} cannot take the result of ${producer.name} as its ${source.field}.`);
    }
    const path = producer.outputSchema ? textPathOf(producer.outputSchema, producer.outputTextField, source.outputField) : (source.outputField ?? producer.outputTextField);
    if (path === undefined) return refuse(step, 'no_text_in_output', `${producer.name} says of its answer nothing ${consumer.name} could use as its ${source.field}.`);
    const chained: PlanStep = { ...step, inputFrom: { ...source, outputField: path } };
    const tooLong = beyondInput(chained, [...checked, chained], serviceOf, property);
    if (tooLong) return refuse(step, 'too_long_for_input', `${producer.name} may return ${tooLong}, more than ${consumer.name} accepts.`);
    checked.push(chained);
  }
  return { ok: true, steps: checked };
}

function refuse(step: PlanStep, reason: Extract<ChainCheck, { ok: false }>['reason'], message: string): ChainCheck {
  return { ok: false, stepId: step.id, reason, message };
}

/** "up to 15,000 characters" when the producer's bound exceeds the consumer's `maxLength`. */
function beyondInput(step: PlanStep, steps: readonly PlanStep[], serviceOf: (step: PlanStep) => CatalogService | undefined, property: Record<string, unknown>): string | undefined {
  const maxLength = typeof property['maxLength'] === 'number' ? property['maxLength'] : undefined;
  const bound = chainedInputBound(step, steps, serviceOf);
  if (maxLength === undefined || !bound || bound.maxChars === null || bound.maxChars <= maxLength) return undefined;
  return `up to ${bound.maxChars.toLocaleString('en-US')} characters`;
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
