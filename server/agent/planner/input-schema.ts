/**
 * What the planner reads from a service's JSON Schema input: what kind of value each property wants
 * (so it knows which extracted parameter fits), validation of a proposed input, and the question to
 * ask when a required input is missing.
 */
import { z } from 'zod';
import type { CatalogService } from '../../../shared/catalog';
import { isLanguageName, languageName } from './entities';

export type PropertyKind = 'text' | 'place' | 'date' | 'url' | 'number' | 'enum' | 'other';

export interface InputProperty {
  name: string;
  kind: PropertyKind;
  required: boolean;
  description: string;
  enumValues: string[];
}

export function inputProperties(service: CatalogService): InputProperty[] {
  const required = new Set(service.inputSchema.required ?? []);
  return Object.entries(service.inputSchema.properties ?? {}).map(([name, schema]) => {
    const description = typeof schema['description'] === 'string' ? schema['description'] : '';
    const enumValues = Array.isArray(schema['enum']) ? schema['enum'].filter((v): v is string => typeof v === 'string') : [];
    return { name, kind: kindOf(name, schema, description, enumValues), required: required.has(name), description, enumValues };
  });
}

function kindOf(name: string, schema: Record<string, unknown>, description: string, enumValues: string[]): PropertyKind {
  const type = schema['type'];
  if (enumValues.length > 0) return 'enum';
  if (type === 'number' || type === 'integer') return 'number';
  if (type !== 'string') return 'other';
  const about = `${name} ${description}`.toLowerCase();
  if (schema['format'] === 'uri' || schema['format'] === 'url' || /\b(url|uri|link)\b/.test(about)) return 'url';
  if (schema['format'] === 'date' || /yyyy-mm-dd|\bdate\b/.test(about)) return 'date';
  if (/\b(city|town|place|location)\b/.test(about)) return 'place';
  if (/\b(text|content|passage|body|message|document)\b/.test(about)) return 'text';
  return 'other';
}

export type InputCheck =
  | { ok: true }
  | { ok: false; reason: 'missing_input'; field: string }
  | { ok: false; reason: 'invalid_input'; field: string; message: string };

/**
 * Checks an input against the service's schema. `pendingFields` are filled later from an earlier
 * step's output; they count as present and are checked then.
 */
export function checkInput(service: CatalogService, input: Record<string, unknown>, pendingFields: readonly string[] = []): InputCheck {
  for (const property of inputProperties(service)) {
    if (property.required && input[property.name] === undefined && !pendingFields.includes(property.name)) {
      return { ok: false, reason: 'missing_input', field: property.name };
    }
  }
  const schema = z.fromJSONSchema(service.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  const placeholder = Object.fromEntries(pendingFields.map((field) => [field, placeholderFor(service, field)]));
  const parsed = schema.safeParse({ ...input, ...placeholder });
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues.find((i) => !pendingFields.includes(String(i.path[0]))) ?? parsed.error.issues[0];
  const field = issue?.path.length ? String(issue.path[0]) : '(input)';
  return { ok: false, reason: 'invalid_input', field, message: issue?.message ?? 'invalid input' };
}

/** A stand-in that satisfies a pending text field's schema, so the rest of the input can be checked now. */
function placeholderFor(service: CatalogService, field: string): unknown {
  const schema = service.inputSchema.properties?.[field] ?? {};
  return schema['type'] === 'number' || schema['type'] === 'integer' ? 1 : 'pending';
}

/** "Which city should I use for weather? (City name, e.g. London)" */
export function questionFor(service: CatalogService, field: string): string {
  const property = inputProperties(service).find((p) => p.name === field);
  const label = labelOf(field, property?.description ?? '');
  const values = property?.enumValues ?? [];
  // Language codes read better with their names: "Spanish (es)".
  const shown = isLanguageEnum(values) ? values.map((v) => `${languageName(v)} (${v})`) : values;
  const options = shown.length > 0 ? ` Options: ${shown.join(', ')}.` : '';
  const hint = property?.description && label.toLowerCase() !== property.description.toLowerCase() ? ` (${property.description})` : '';
  return `Which ${label} should I use for ${service.name}?${hint}${options}`;
}

/** The description's first phrase when it is a short noun phrase ("Target language"), else the field name. */
function labelOf(field: string, description: string): string {
  const phrase = description.split(/[,;.(]/)[0]?.trim() ?? '';
  const wordsInPhrase = phrase.split(/\s+/).filter(Boolean);
  if (wordsInPhrase.length >= 1 && wordsInPhrase.length <= 3 && !/^(how|what|which|any|the|a)\b/i.test(phrase)) {
    // "Target language" reads as "target language", but "English text" keeps its capital.
    return isLanguageName(wordsInPhrase[0] ?? '') ? phrase : phrase.charAt(0).toLowerCase() + phrase.slice(1);
  }
  return field;
}

export function isLanguageEnum(values: readonly string[]): boolean {
  return values.length > 0 && values.every((v) => languageName(v) !== undefined);
}
