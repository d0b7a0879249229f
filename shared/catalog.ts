// The agent's service catalog and the plans it makes from it. A catalog entry is one callable L402
// resource (one method + path of one provider's service), described well enough to rank it against a
// request, validate an input for it and quote it; a plan is an ordered list of calls to such entries.
// Runs in the browser too: the chat UI shows plans.
import { z } from 'zod';
import { msatSchema } from './money';

/** A JSON Schema for an object input, kept as the provider published it; validated as a whole elsewhere. */
export const inputJsonSchemaSchema = z.looseObject({
  type: z.literal('object'),
  properties: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  required: z.array(z.string()).optional(),
});
export type InputJsonSchema = z.infer<typeof inputJsonSchemaSchema>;

export const formulaComponentSchema = z.object({
  constraint: z.string().min(1),
  priceMsatPerUnit: msatSchema,
  unit: z.number().int().positive(),
});

/**
 * How a provider prices a call (L402 agent-spec models): `fixed` is known up front; `formula` is
 * base + sum(priceMsatPerUnit * ceil(usage / unit)) over the call's constraints; `dynamic` is known
 * only by asking the provider's quote endpoint.
 */
export const catalogPricingSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('fixed'), priceMsat: msatSchema }),
  z.object({ model: z.literal('formula'), baseMsat: msatSchema, components: z.array(formulaComponentSchema) }),
  z.object({ model: z.literal('dynamic') }),
]);
export type CatalogPricing = z.infer<typeof catalogPricingSchema>;

export const usageConstraintSchema = z.object({
  type: z.literal('integer'),
  min: z.number().int(),
  max: z.number().int(),
});

export const catalogServiceSchema = z.object({
  /** Stable across catalog reloads: `<providerId>/<service name>`. */
  id: z.string().min(1),
  providerId: z.string().min(1),
  providerName: z.string().min(1),
  /** Scheme, host and port the manifest was served from; `path` and `quotePath` are relative to it. */
  origin: z.url({ protocol: /^https?$/ }),
  name: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  /** Sample requests a person might type for this service; the built-in planner ranks on them. */
  examples: z.array(z.string()),
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/'),
  /** GET services take their input as the query string, POST services as a JSON body. */
  inputIn: z.enum(['query', 'body']),
  inputSchema: inputJsonSchemaSchema,
  pricing: catalogPricingSchema,
  /** The price a call costs when it is known without asking (fixed pricing); a quote still confirms it. */
  advertisedPriceMsat: msatSchema.optional(),
  /** Usage constraints the price depends on (formula and dynamic pricing), with their allowed range. */
  constraints: z.record(z.string(), usageConstraintSchema),
  quotePath: z.string().startsWith('/').optional(),
  tokenValiditySec: z.number().int().positive().optional(),
  /**
   * The string property of the response body that holds its main text (`summary` from summarise),
   * when the provider's output schema names one; a chained step takes its text from there.
   */
  outputTextField: z.string().min(1).optional(),
  /**
   * The JSON Schema the provider published for the paid answer (`output_schema`), kept as published:
   * a paid answer counts as delivered only when it parses against it.
   */
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  /** The output schema's `maxLength` for that main text, when it publishes one. */
  outputTextMaxLength: z.number().int().nonnegative().optional(),
  /**
   * The input property the main text is an excerpt of (manifest `output_text_within`, e.g. `text` for
   * an extractive summary): it is never longer, in characters or words, than that input.
   */
  outputTextWithin: z.string().min(1).optional(),
  /** The provider's Lightning node key (manifest `node_pubkey`): invoices must be payable to it. */
  payeePubkeyHex: z.string().regex(/^[0-9a-f]{66}$/).optional(),
  /**
   * The provider's refund endpoint (manifest provider `refund_endpoint`, relative to `origin`): where
   * Steward asks it to refund a disputed purchase itself (docs/provider-refunds.md). Absent: the
   * treasury refunds and a claim against the provider is recorded.
   */
  refundPath: z.string().startsWith('/').optional(),
});
export type CatalogService = z.infer<typeof catalogServiceSchema>;

export const catalogSchema = z.array(catalogServiceSchema);

/**
 * Where a step's input field comes from when an earlier step produces it (summarise -> translate).
 * `field` is this step's input property; `outputField` names the earlier step's output property when
 * the planner knows it, otherwise the runner picks the earlier output's main text.
 */
export const stepInputSourceSchema = z.object({
  stepId: z.string().min(1),
  field: z.string().min(1),
  outputField: z.string().min(1).optional(),
});
export type StepInputSource = z.infer<typeof stepInputSourceSchema>;

export const planStepSchema = z.object({
  id: z.string().min(1),
  serviceId: z.string().min(1),
  /** Input as the person gave it; the provider's defaults fill the rest. Excludes the `inputFrom` field. */
  input: z.record(z.string(), z.unknown()),
  inputFrom: stepInputSourceSchema.optional(),
  /** One sentence a person can read: why this step, with which parameters. */
  reason: z.string(),
});
export type PlanStep = z.infer<typeof planStepSchema>;

/** An ask in the request that no catalogued service does: a partial plan says so before anything is paid. */
export const notDoneSchema = z.object({
  /** The ask, in the person's words. */
  said: z.string().min(1),
  /** Why it will not be done, in a sentence. */
  why: z.string().min(1),
});
export type NotDone = z.infer<typeof notDoneSchema>;

export const planSchema = z.object({
  request: z.string(),
  /** Who planned it: a planner, or an agent (MCP `fetch`) that named the one call itself. */
  planner: z.enum(['builtin', 'llm', 'agent']),
  steps: z.array(planStepSchema).min(1),
  /** Set on a partial plan: what will not be done. Such a plan is quoted for its steps and never approved automatically. */
  notDone: z.array(notDoneSchema).min(1).optional(),
});
export type Plan = z.infer<typeof planSchema>;

export const plannerResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), plan: planSchema }),
  z.object({
    kind: z.literal('clarify'),
    question: z.string().min(1),
    /** Set when the question asks for one input of one service. */
    missingInput: z.object({ serviceId: z.string(), field: z.string() }).optional(),
  }),
  z.object({
    kind: z.literal('unsupported'),
    /** The kind of service the catalog lacks, in the person's words (e.g. "book me a flight"). */
    missing: z.string().min(1),
    message: z.string().min(1),
  }),
]);
export type PlannerResult = z.infer<typeof plannerResultSchema>;
