/**
 * Judges what a provider answered to a paid request: does it count as delivered? A 2xx alone does
 * not. The body must parse against the output schema the service published (its manifest's
 * `output_schema`), or, when it published none, at least not be empty. Otherwise the purchase is
 * `paid_not_delivered` with a named reason and a short account of what failed, kept as evidence for
 * the dispute. Pure: no I/O, no clock.
 *
 * The schema is converted with zod's `fromJSONSchema` (the same converter the catalog uses to
 * accept it, so a schema that reached a purchase converts). Conversions are cached by the schema's
 * text: a catalog has a few dozen schemas and every paid call of a service checks against one.
 */
import { z } from 'zod';

/** A JSON Schema as the provider published it. */
export type OutputJsonSchema = Readonly<Record<string, unknown>>;

export type DeliveryRefusal =
  /** The body is empty or only whitespace. */
  | 'empty_body'
  /** A schema was published, and the body is not JSON at all. */
  | 'not_json'
  /** The body is JSON that does not match the published schema. */
  | 'schema_invalid';

export type DeliveryVerdict = { ok: true } | { ok: false; reason: DeliveryRefusal; detail: string };

/** Issues listed in a refusal's detail: enough to show what failed without storing a huge dump. */
const MAX_ISSUES = 3;
const MAX_DETAIL_CHARS = 500;
const MAX_CACHED_SCHEMAS = 256;

const validators = new Map<string, z.ZodType | null>();

/**
 * The published schema as a validator; null when it cannot be converted (the catalog refuses such a
 * service, so only a schema from an older catalog load could reach here: judged by non-emptiness).
 */
export function outputValidator(schema: OutputJsonSchema): z.ZodType | null {
  const key = JSON.stringify(schema);
  const cached = validators.get(key);
  if (cached !== undefined) return cached;
  let validator: z.ZodType | null;
  try {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch {
    validator = null;
  }
  if (validators.size >= MAX_CACHED_SCHEMAS) validators.clear();
  validators.set(key, validator);
  return validator;
}

export function judgeDelivery(bodyText: string, outputSchema: OutputJsonSchema | null): DeliveryVerdict {
  if (bodyText.trim() === '') return { ok: false, reason: 'empty_body', detail: 'the provider answered with an empty body' };
  const validator = outputSchema === null ? null : outputValidator(outputSchema);
  if (validator === null) return { ok: true };
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return { ok: false, reason: 'not_json', detail: `the body is not JSON (it begins ${JSON.stringify(bodyText.slice(0, 40))})` };
  }
  const parsed = validator.safeParse(json);
  if (parsed.success) return { ok: true };
  return { ok: false, reason: 'schema_invalid', detail: describeIssues(parsed.error.issues) };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_ISSUES).map((issue) => {
    const at = issue.path.length === 0 ? 'the body' : issue.path.map(String).join('.');
    return `${at}: ${issue.message}`;
  });
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  const text = `does not match the published output schema: ${listed.join('; ')}${more}`;
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS - 1)}…` : text;
}
