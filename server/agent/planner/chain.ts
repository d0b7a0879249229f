/**
 * Completes a chained step's input from an earlier step's output, for the task runner. When the plan
 * names no output field the text is picked by a rule: a string output as is; else the producer's
 * published main text field (`outputTextField`, from its output schema); else, for providers that
 * publish none, the string field named like the producing service ("summary" from summarise,
 * "translation" from translate); else the output's sentences joined (a joke's setup and punchline).
 */
import type { CatalogService, PlanStep } from '../../../shared/catalog';
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
