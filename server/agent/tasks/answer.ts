/**
 * Turns step outputs into something a person reads: each output becomes a block (text, facts or a
 * table), and the answer's summary is one sentence per step. Deterministic templates, no model:
 * the same outputs always give the same answer, and nothing is invented.
 */
import { answerText, isRecord } from '../outputs/output-text';
import { formatValue, labelFor, readableFacts } from '../outputs/readable';
import type { ReadableOptions } from '../outputs/readable';

export type AnswerBlock =
  | { kind: 'text'; text: string }
  | { kind: 'facts'; facts: { label: string; value: string }[] }
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface StepAnswer {
  stepId: string;
  title: string;
  blocks: AnswerBlock[];
}

export interface TaskAnswer {
  summary: string;
  steps: StepAnswer[];
}

/** The body a provider delivered: JSON when it parses, otherwise the text itself. */
export function parseOutput(bodyText: string, contentType: string | null): unknown {
  const looksJson = (contentType ?? '').includes('json') || /^\s*[[{]/.test(bodyText);
  if (!looksJson) return bodyText;
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    return bodyText;
  }
}

const MAX_TABLE_ROWS = 50;
const MAX_TEXT_CHARS = 4_000;

/** What the composer knows of a step's service: the schema of its answer and its main text field. */
export interface OutputShape {
  outputSchema?: Record<string, unknown>;
  outputTextField?: string;
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.length > MAX_TEXT_CHARS ? `${value.slice(0, MAX_TEXT_CHARS)}…` : value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value === null) return '—';
  return null;
}

function itemSchemaOf(schema: unknown, key: string): unknown {
  const property = isRecord(schema) && isRecord(schema['properties']) ? (schema['properties'] as Record<string, unknown>)[key] : undefined;
  return isRecord(property) ? property['items'] : undefined;
}

function tableOf(items: unknown[], itemSchema: unknown, options: ReadableOptions): AnswerBlock {
  if (items.every(isRecord)) {
    const columns = [...new Set(items.flatMap((item) => Object.keys(item).filter((k) => k !== 'id' && scalar(item[k]) !== null)))];
    const properties = isRecord(itemSchema) && isRecord(itemSchema['properties']) ? (itemSchema['properties'] as Record<string, unknown>) : {};
    const rows = items.slice(0, MAX_TABLE_ROWS).map((item) => columns.map((c) => formatValue(c, item[c], properties[c], item, options) ?? scalar(item[c]) ?? ''));
    return { kind: 'table', columns: columns.map((c) => labelFor(c, properties[c])), rows };
  }
  return { kind: 'table', columns: ['Value'], rows: items.slice(0, MAX_TABLE_ROWS).map((item) => [scalar(item) ?? JSON.stringify(item)]) };
}

/**
 * Blocks for one output, the details folded beneath its answer: text for a string, its facts in
 * words (units, currency, local times; no field names), a table per list.
 */
export function blocksFor(output: unknown, shape: OutputShape = {}, options: ReadableOptions = {}): AnswerBlock[] {
  const text = scalar(output);
  if (text !== null) return [{ kind: 'text', text }];
  if (Array.isArray(output)) return [tableOf(output, isRecord(shape.outputSchema) ? shape.outputSchema['items'] : undefined, options)];
  if (!isRecord(output)) return [{ kind: 'text', text: JSON.stringify(output) }];
  const facts = readableFacts(output, shape.outputSchema, options);
  const tables = Object.entries(output)
    .filter((e): e is [string, unknown[]] => Array.isArray(e[1]) && e[1].length > 0)
    .map(([key, value]) => tableOf(value, itemSchemaOf(shape.outputSchema, key), options));
  return facts.length > 0 ? [{ kind: 'facts', facts }, ...tables] : tables;
}

export interface AnsweredStep {
  stepId: string;
  title: string;
  output: unknown;
  shape?: OutputShape;
}

/**
 * The answer: one plain line per step, composed from its output by its schema (the text it holds, or
 * the sentence its facts make), with the structured details beneath it.
 */
export function composeAnswer(steps: AnsweredStep[], options: ReadableOptions = {}): TaskAnswer {
  const answered = steps.map((s) => ({ stepId: s.stepId, title: s.title, blocks: blocksFor(s.output, s.shape, options) }));
  const lines = steps.map((s) => {
    const text = answerText(s.output, s.shape, options);
    return text ? `${s.title}: ${text}` : `${s.title}: no content.`;
  });
  return { summary: lines.join('\n'), steps: answered };
}
