/**
 * Maps an L402 discovery manifest (`/.well-known/l402.json`, lightninglabs/L402 agent-spec.md shape,
 * as the sandbox market serves it) to catalog entries: one per service resource. Pure: the caller
 * fetches the manifest and says which origin it came from.
 *
 * Besides the spec's fields it reads our extensions: `tags` and `examples` on services and resources,
 * and per resource `input_in`, `input_schema` and `output_text_field`, which is kept only when the
 * resource's `output_schema` declares that field a string (an unchecked hint would be a guess).
 *
 * The manifest is untrusted input. A malformed document is refused as a whole; a single unusable
 * service (no resources, a non-object or unconvertible input or output schema, an unknown method, a
 * path that leaves the provider's origin) is skipped with a reason, so one bad entry does not hide a
 * provider's other services.
 *
 * Every path must resolve to the origin the manifest came from: `//other-host/x` is a valid
 * path-absolute-looking string that URL resolution sends to another host, so the person would see one
 * provider's name while another is called and paid. Such a resource is refused (`off_origin_path`); an
 * off-origin quote endpoint is dropped.
 */
import { z } from 'zod';
import { catalogServiceSchema, inputJsonSchemaSchema } from '../../../shared/catalog';
import type { CatalogService, catalogPricingSchema } from '../../../shared/catalog';

const textList = z.array(z.string().trim().min(1).max(500)).max(50);

const pricingJsonSchema = z.discriminatedUnion('model', [
  z.looseObject({ model: z.literal('fixed'), price_msat: z.number().int().nonnegative() }),
  z.looseObject({
    model: z.literal('formula'),
    base_msat: z.number().int().nonnegative(),
    components: z.array(
      z.looseObject({
        constraint: z.string().min(1),
        price_msat_per_unit: z.number().int().nonnegative(),
        unit: z.number().int().positive(),
      }),
    ),
  }),
  z.looseObject({ model: z.literal('dynamic') }),
]);

const resourceJsonSchema = z.looseObject({
  path: z.string().startsWith('/'),
  method: z.string().optional(),
  description: z.string().optional(),
  pricing: pricingJsonSchema,
  constraints: z.record(z.string(), z.looseObject({ type: z.literal('integer'), min: z.number().int(), max: z.number().int() })).optional(),
  input_in: z.enum(['query', 'body']).optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  output_schema: z.record(z.string(), z.unknown()).optional(),
  output_text_field: z.string().min(1).max(100).optional(),
  output_text_within: z.string().min(1).max(100).optional(),
  tags: textList.optional(),
  examples: textList.optional(),
});

const nodePubkeySchema = z.string().regex(/^[0-9a-fA-F]{66}$/).transform((key) => key.toLowerCase());
const providerJsonSchema = z.looseObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  node_pubkey: nodePubkeySchema.optional(),
  // Where it takes refund requests (docs/provider-refunds.md); optional, like refunds themselves.
  refund_endpoint: z.string().startsWith('/').max(500).optional(),
});

const serviceJsonSchema = z.looseObject({
  name: z.string().min(1).max(100),
  provider: providerJsonSchema.optional(),
  description: z.string().max(2000).optional(),
  token_validity_seconds: z.number().int().positive().optional(),
  tags: textList.optional(),
  examples: textList.optional(),
  // Each resource is checked on its own below, so one bad resource skips only itself.
  resources: z.array(z.unknown()),
});

export const l402ManifestSchema = z.looseObject({
  version: z.string().optional(),
  provider: providerJsonSchema.partial({ name: true }).optional(),
  quote_endpoint: z.string().startsWith('/').optional(),
  services: z.array(z.unknown()),
});

export const SKIP_REASONS = [
  'invalid_service',
  'no_resources',
  'invalid_resource',
  'unsupported_method',
  'unsupported_input_schema',
  'unsupported_output_schema',
  'off_origin_path',
] as const;

export interface SkippedService {
  name: string;
  reason: (typeof SKIP_REASONS)[number];
  detail: string;
}

export type ManifestToCatalogResult =
  | { ok: true; services: CatalogService[]; skipped: SkippedService[] }
  | { ok: false; reason: 'invalid_manifest' | 'invalid_origin'; detail: string };

const EMPTY_INPUT_SCHEMA = { type: 'object', properties: {}, additionalProperties: false } as const;

export function manifestToCatalog(manifest: unknown, origin: string): ManifestToCatalogResult {
  const originCheck = normaliseOrigin(origin);
  if (!originCheck.ok) return { ok: false, reason: 'invalid_origin', detail: originCheck.detail };
  const parsed = l402ManifestSchema.safeParse(manifest);
  if (!parsed.success) return { ok: false, reason: 'invalid_manifest', detail: z.prettifyError(parsed.error) };
  const doc = parsed.data;
  const fallbackProvider = { id: slug(doc.provider?.name ?? new URL(originCheck.origin).host), name: doc.provider?.name ?? new URL(originCheck.origin).host };

  const quotePath = onOrigin(doc.quote_endpoint, originCheck.origin);
  const services: CatalogService[] = [];
  const skipped: SkippedService[] = [];
  const seenIds = new Set<string>();
  for (const raw of doc.services) {
    const service = serviceJsonSchema.safeParse(raw);
    if (!service.success) {
      skipped.push({ name: nameOf(raw), reason: 'invalid_service', detail: z.prettifyError(service.error) });
      continue;
    }
    const s = service.data;
    if (s.resources.length === 0) {
      skipped.push({ name: s.name, reason: 'no_resources', detail: 'the service lists no resources' });
      continue;
    }
    const provider = {
      id: s.provider?.id ?? slug(s.provider?.name ?? fallbackProvider.name),
      name: s.provider?.name ?? fallbackProvider.name,
      // The service's own provider's key, else the manifest's: the node its invoices must come from.
      nodePubkey: s.provider?.node_pubkey ?? doc.provider?.node_pubkey,
      // An off-origin refund endpoint is dropped, as an off-origin quote endpoint is: the proof of payment stays with the provider.
      refundPath: onOrigin(s.provider?.refund_endpoint ?? doc.provider?.refund_endpoint, originCheck.origin),
    };
    s.resources.forEach((rawResource, index) => {
      const entry = resourceToService(rawResource, { service: s, provider, origin: originCheck.origin, quotePath, index, total: s.resources.length });
      if (!entry.ok) {
        skipped.push({ name: s.name, reason: entry.reason, detail: entry.detail });
        return;
      }
      // Ids must be unique for plans to be unambiguous; a repeated id is the manifest's mistake.
      if (seenIds.has(entry.service.id)) {
        skipped.push({ name: s.name, reason: 'invalid_service', detail: `duplicate service id ${entry.service.id}` });
        return;
      }
      seenIds.add(entry.service.id);
      services.push(entry.service);
    });
  }
  return { ok: true, services, skipped };
}

interface ResourceContext {
  service: z.infer<typeof serviceJsonSchema>;
  provider: { id: string; name: string; nodePubkey: string | undefined; refundPath: string | undefined };
  origin: string;
  quotePath: string | undefined;
  index: number;
  total: number;
}

type ResourceResult = { ok: true; service: CatalogService } | { ok: false; reason: SkippedService['reason']; detail: string };

function resourceToService(raw: unknown, ctx: ResourceContext): ResourceResult {
  const parsed = resourceJsonSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'invalid_resource', detail: z.prettifyError(parsed.error) };
  const resource = parsed.data;
  const method = (resource.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') return { ok: false, reason: 'unsupported_method', detail: `method ${method}` };
  if (!resolvesToOrigin(resource.path, ctx.origin)) {
    return { ok: false, reason: 'off_origin_path', detail: `${resource.path} leads to ${new URL(resource.path, ctx.origin).origin}, not ${ctx.origin}` };
  }
  if (resource.output_schema !== undefined) {
    const outputCheck = checkSchema(resource.output_schema);
    if (!outputCheck.ok) return { ok: false, reason: 'unsupported_output_schema', detail: outputCheck.detail };
  }
  const rawSchema = resource.input_schema ?? EMPTY_INPUT_SCHEMA;
  const inputSchema = inputJsonSchemaSchema.safeParse(rawSchema);
  if (!inputSchema.success) return { ok: false, reason: 'unsupported_input_schema', detail: z.prettifyError(inputSchema.error) };
  const schemaCheck = checkSchema(rawSchema);
  if (!schemaCheck.ok) return { ok: false, reason: 'unsupported_input_schema', detail: schemaCheck.detail };

  const pricing = toPricing(resource.pricing);
  const outputTextField = declaredTextField(resource.output_schema, resource.output_text_field);
  const constraints = Object.fromEntries(
    Object.entries(resource.constraints ?? {}).map(([key, c]) => [key, { type: c.type, min: c.min, max: c.max }]),
  );
  const candidate: z.input<typeof catalogServiceSchema> = {
    id: ctx.total === 1 ? `${ctx.provider.id}/${ctx.service.name}` : `${ctx.provider.id}/${ctx.service.name}/${ctx.index + 1}`,
    providerId: ctx.provider.id,
    providerName: ctx.provider.name,
    origin: ctx.origin,
    name: ctx.service.name,
    description: (resource.description ?? ctx.service.description ?? '').trim(),
    tags: unique([...(ctx.service.tags ?? []), ...(resource.tags ?? [])]),
    examples: unique([...(ctx.service.examples ?? []), ...(resource.examples ?? [])]),
    method,
    path: resource.path,
    inputIn: resource.input_in ?? (method === 'GET' ? 'query' : 'body'),
    inputSchema: inputSchema.data,
    pricing,
    ...(pricing.model === 'fixed' ? { advertisedPriceMsat: pricing.priceMsat } : {}),
    constraints,
    ...(ctx.quotePath ? { quotePath: ctx.quotePath } : {}),
    ...(ctx.service.token_validity_seconds ? { tokenValiditySec: ctx.service.token_validity_seconds } : {}),
    ...(outputTextField ? { outputTextField } : {}),
    ...(resource.output_schema ? { outputSchema: resource.output_schema } : {}),
    ...outputTextBounds(resource, outputTextField),
    ...(ctx.provider.nodePubkey ? { payeePubkeyHex: ctx.provider.nodePubkey } : {}),
    ...(ctx.provider.refundPath ? { refundPath: ctx.provider.refundPath } : {}),
  };
  const checked = catalogServiceSchema.safeParse(candidate);
  if (!checked.success) return { ok: false, reason: 'invalid_resource', detail: z.prettifyError(checked.error) };
  return { ok: true, service: checked.data };
}

/** Plain numbers here; `catalogServiceSchema` brands them as Msat when it checks the whole entry. */
function toPricing(pricing: z.infer<typeof pricingJsonSchema>): z.input<typeof catalogPricingSchema> {
  switch (pricing.model) {
    case 'fixed':
      return { model: 'fixed', priceMsat: pricing.price_msat };
    case 'formula':
      return {
        model: 'formula',
        baseMsat: pricing.base_msat,
        components: pricing.components.map((c) => ({ constraint: c.constraint, priceMsatPerUnit: c.price_msat_per_unit, unit: c.unit })),
      };
    case 'dynamic':
      return { model: 'dynamic' };
  }
}

const stringPropertySchema = z.looseObject({ type: z.literal('string') });
const outputSchemaJsonSchema = z.looseObject({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()) });

/** The hint counts only when the output schema backs it: an object whose property `field` is a string. */
function declaredTextField(outputSchema: unknown, field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const schema = outputSchemaJsonSchema.safeParse(outputSchema);
  if (!schema.success || !Object.hasOwn(schema.data.properties, field)) return undefined;
  return stringPropertySchema.safeParse(schema.data.properties[field]).success ? field : undefined;
}

/**
 * What bounds the main text, for quoting a step that takes it as input: the output schema's maxLength
 * on it, and `output_text_within` when that names a string property of the input schema.
 */
function outputTextBounds(resource: z.infer<typeof resourceJsonSchema>, textField: string | undefined): { outputTextMaxLength?: number; outputTextWithin?: string } {
  if (textField === undefined) return {};
  const schema = outputSchemaJsonSchema.safeParse(resource.output_schema);
  const maxLength = schema.success ? z.looseObject({ maxLength: z.number().int().nonnegative() }).safeParse(schema.data.properties[textField]) : null;
  const within = resource.output_text_within;
  const inputProperties = z.looseObject({ properties: z.record(z.string(), z.unknown()) }).safeParse(resource.input_schema);
  const withinIsText = within !== undefined && inputProperties.success && stringPropertySchema.safeParse(inputProperties.data.properties[within]).success;
  return { ...(maxLength?.success ? { outputTextMaxLength: maxLength.data.maxLength } : {}), ...(withinIsText ? { outputTextWithin: within } : {}) };
}

/**
 * The planner validates inputs, and payments judge paid answers, by converting the schema to zod, so
 * a schema that cannot be converted is unusable.
 */
function checkSchema(schema: Record<string, unknown>): { ok: true } | { ok: false; detail: string } {
  try {
    z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** True when `path` (as a manifest gives it, relative to the origin) resolves on that same origin. */
function onOrigin(path: string | undefined, origin: string): string | undefined {
  return path !== undefined && resolvesToOrigin(path, origin) ? path : undefined;
}

export function resolvesToOrigin(path: string, origin: string): boolean {
  try {
    return new URL(path, origin).origin === origin;
  } catch {
    return false;
  }
}

function normaliseOrigin(origin: string): { ok: true; origin: string } | { ok: false; detail: string } {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { ok: false, detail: `not a URL: ${origin}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, detail: `not http(s): ${origin}` };
  return { ok: true, origin: url.origin };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'provider';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function nameOf(raw: unknown): string {
  return typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : '(unnamed)';
}
