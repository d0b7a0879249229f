/**
 * The JSON a task row keeps (plan, quote, decision, answer, failure, step outputs), read back through
 * zod: a row written by an older version, or damaged, fails loudly here instead of flowing on as a
 * wrong type. Quotes keep their unknown fields (the runner merges and re-stores them whole).
 */
import { z } from 'zod';
import { btcUsdRateSchema, msatSchema } from '../../../shared/money';
import type { TaskAnswer } from './answer';
import type { TaskQuote } from './ports';

const answerBlockSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('facts'), facts: z.array(z.object({ label: z.string(), value: z.string() })) }),
  z.object({ kind: z.literal('table'), columns: z.array(z.string()), rows: z.array(z.array(z.string())) }),
]);

export const taskAnswerSchema: z.ZodType<TaskAnswer> = z.object({
  summary: z.string(),
  steps: z.array(z.object({ stepId: z.string(), title: z.string(), blocks: z.array(answerBlockSchema) })),
});

export const taskFailureSchema = z.object({ reason: z.string(), message: z.string(), stepId: z.string().optional() });
export type TaskFailure = z.infer<typeof taskFailureSchema>;

const quotedStepSchema = z.looseObject({
  stepId: z.string(),
  priceMsatMin: msatSchema,
  priceMsatMax: msatSchema,
  feeAllowanceMsat: msatSchema,
  maxMsat: msatSchema,
});

export const taskQuoteSchema = z.looseObject({
  id: z.string(),
  expiresAt: z.union([z.number(), z.string()]),
  rate: btcUsdRateSchema,
  steps: z.array(quotedStepSchema),
  totalMsatMin: msatSchema,
  totalMsatMax: msatSchema,
  totalUsdCentsMin: z.number().int(),
  totalUsdCentsMax: z.number().int(),
}) satisfies z.ZodType<TaskQuote>;

/** The stored JSON parsed by its schema; null stays null. */
export function readJson<T>(schema: z.ZodType<T>, json: string | null): T | null {
  return json === null ? null : schema.parse(JSON.parse(json));
}

/** A step's output: any JSON a provider delivered (or its text), so nothing to narrow. */
export function readOutput(json: string | null): unknown {
  return json === null ? null : (JSON.parse(json) as unknown);
}
