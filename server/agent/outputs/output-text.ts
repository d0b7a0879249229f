/**
 * Where the text of a paid answer is, read from the output schema its provider published: the main
 * text field it names (`output_text_field`), the one list the answer is made of (headlines, each a
 * `headline`), or, for an answer of facts (a forecast, a price), the sentence those facts make. A
 * chained step is planned against this before anything is paid, and fed from it after.
 *
 * Paths: `summary` (a string field), `headlines[].headline` (a string field of each item),
 * `highlights[]` (each item a string), and `$readable` (the answer's facts as a sentence).
 */
import { readableSentence } from './readable';
import type { ReadableOptions } from './readable';

export const READABLE_PATH = '$readable';

type JsonSchema = Record<string, unknown>;

const propertiesOf = (schema: unknown): Record<string, JsonSchema> =>
  isRecord(schema) && isRecord(schema['properties']) ? (schema['properties'] as Record<string, JsonSchema>) : {};

/** A string that reads as words, not a code, a date or a choice among labels. */
function isFreeString(schema: unknown): boolean {
  if (!isRecord(schema) || schema['type'] !== 'string' || Array.isArray(schema['enum']) || 'const' in schema || 'format' in schema) return false;
  const description = typeof schema['description'] === 'string' ? schema['description'] : '';
  return !/YYYY|ISO 8601|\bid\b|\burl\b/i.test(description);
}

/** The item field of a list that holds its words: named like the list (headlines -> headline), else the only free string besides labels. */
function itemTextField(list: string, item: unknown): string | undefined {
  const fields = Object.entries(propertiesOf(item)).filter(([name, s]) => isFreeString(s) && !/^(id|url|link|source|outlet)$/i.test(name));
  const singular = list.replace(/s$/, '');
  return (fields.find(([name]) => name === singular) ?? fields.find(([name]) => /^(text|title|headline|summary|content|body)$/.test(name)) ?? (fields.length === 1 ? fields[0] : undefined))?.[0];
}

/**
 * The path to a producer's text, chosen by its output schema, or undefined when the schema says
 * nothing to read (or there is none). `named` is a field the plan asked for; it must exist and be text.
 */
export function textPathOf(outputSchema: unknown, mainTextField: string | undefined, named?: string): string | undefined {
  if (named !== undefined) return pathExists(outputSchema, named) ? named : undefined;
  const properties = propertiesOf(outputSchema);
  if (mainTextField !== undefined && isFreeString(properties[mainTextField])) return mainTextField;
  if (!isRecord(outputSchema) || outputSchema['type'] !== 'object') return undefined;
  // A list is the answer only when everything beside it is a label (a topic, a date).
  const lists = Object.entries(properties).filter(([, s]) => s['type'] === 'array');
  const others = Object.entries(properties).filter(([, s]) => s['type'] !== 'array');
  const [only] = lists;
  if (lists.length === 1 && only && others.every(([, s]) => !isFreeString(s) && s['type'] === 'string')) {
    const [name, schema] = only;
    if (isFreeString(schema['items'])) return `${name}[]`;
    const field = itemTextField(name, schema['items']);
    if (field) return `${name}[].${field}`;
  }
  return READABLE_PATH;
}

function pathExists(schema: unknown, path: string): boolean {
  if (path === READABLE_PATH) return isRecord(schema) && schema['type'] === 'object';
  const [list, field] = path.split('[]');
  const property = propertiesOf(schema)[list ?? ''];
  if (field === undefined) return isFreeString(property);
  if (property?.['type'] !== 'array') return false;
  return field === '' ? isFreeString(property['items']) : isFreeString(propertiesOf(property['items'])[field.replace(/^\./, '')]);
}

/** The text at a path of a delivered output; undefined when it holds none. */
export function textAtPath(output: unknown, path: string, outputSchema: unknown, options: ReadableOptions = {}): string | undefined {
  if (path === READABLE_PATH) return nonEmpty(readableSentence(output, outputSchema, options));
  if (!isRecord(output)) return undefined;
  const [list, field] = path.split('[]');
  const value = output[list ?? ''];
  if (field === undefined) return typeof value === 'string' ? nonEmpty(value) : undefined;
  if (!Array.isArray(value)) return undefined;
  const key = field.replace(/^\./, '');
  const items = value.map((item) => (key === '' ? item : isRecord(item) ? item[key] : undefined)).filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  // One item per sentence, so a summary or a translation keeps them apart.
  return nonEmpty(items.map((t) => (/[.!?…]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`)).join(' '));
}

function nonEmpty(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The main text of a delivered answer as the person read it: its text field or list when its schema
 * names one, else the sentence its facts make. What a follow-up ("translate that") works on.
 */
export function answerText(output: unknown, producer: { outputSchema?: Record<string, unknown>; outputTextField?: string } | undefined, options: ReadableOptions = {}): string | undefined {
  if (typeof output === 'string') return nonEmpty(output);
  const path = textPathOf(producer?.outputSchema, producer?.outputTextField) ?? READABLE_PATH;
  return textAtPath(output, path, producer?.outputSchema, options) ?? nonEmpty(readableSentence(output, producer?.outputSchema, options));
}
