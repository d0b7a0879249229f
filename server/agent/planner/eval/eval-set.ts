/**
 * The planner's evaluation set (`cases.json`): requests written the way people write them, each with
 * the plan, question or refusal it must get. Read through zod, so a malformed case fails loudly
 * instead of scoring as a miss. `{T1}`-style names stand for the file's shared texts and `{previous}`
 * for the text of the answer a follow-up refers to, so long passages are written once.
 */
import { z } from 'zod';

const expectedStepSchema = z.strictObject({
  /** Service name (catalog ids are `<provider>/<name>`). */
  service: z.string().min(1),
  /** The inputs that must be set to exactly these values; others are not checked. */
  input: z.record(z.string(), z.unknown()).optional(),
  /** 1-based position of the step whose output this one takes; absent means it takes none. */
  from: z.number().int().positive().optional(),
});

const expectationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('plan'),
    steps: z.array(expectedStepSchema).min(1),
    /** How many asks the plan must say it will not do (a partial plan); 0 when absent. */
    notDone: z.number().int().positive().optional(),
  }),
  /** A question; `field` when it must ask for one input. */
  z.strictObject({ kind: z.literal('clarify'), field: z.string().optional() }),
  /** Must be refused: nothing in the catalog does it. */
  z.strictObject({ kind: z.literal('refuse') }),
  /** No plan: either a question or a refusal is right (an input the service does not offer). */
  z.strictObject({ kind: z.literal('decline') }),
]);

const previousSchema = z.strictObject({ request: z.string().min(1), text: z.string().min(1) });

const caseSchema = z.strictObject({
  tags: z.array(z.string().min(1)).min(1),
  request: z.string(),
  /** Name of the earlier answer (in `previous`) this request follows. */
  previous: z.string().optional(),
  expect: expectationSchema,
});

export const evalFileSchema = z
  .strictObject({
    nowIso: z.iso.datetime(),
    texts: z.record(z.string(), z.string().min(1)),
    previous: z.record(z.string(), previousSchema),
    cases: z.array(caseSchema).min(200),
  })
  .superRefine((file, ctx) => {
    file.cases.forEach((c, i) => {
      if (c.previous !== undefined && !file.previous[c.previous]) ctx.addIssue({ code: 'custom', path: ['cases', i, 'previous'], message: `no previous answer named ${c.previous}` });
    });
  });

export type ExpectedStep = z.infer<typeof expectedStepSchema>;
export type Expectation = z.infer<typeof expectationSchema>;

export interface EvalCase {
  tags: string[];
  request: string;
  previous?: { request: string; text: string };
  expect: Expectation;
}

export interface EvalSet {
  nowMs: number;
  cases: EvalCase[];
}

/** Parses the file and writes its shared texts into the requests and expected inputs. */
export function readEvalSet(json: unknown): EvalSet {
  const file = evalFileSchema.parse(json);
  const cases = file.cases.map((c): EvalCase => {
    const previous = c.previous === undefined ? undefined : file.previous[c.previous];
    const names: Record<string, string> = { ...file.texts, ...(previous ? { previous: previous.text } : {}) };
    const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, name: string) => names[name] ?? whole);
    const expect: Expectation =
      c.expect.kind === 'plan'
        ? {
            ...c.expect,
            steps: c.expect.steps.map((s) => (s.input ? { ...s, input: Object.fromEntries(Object.entries(s.input).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v])) } : s)),
          }
        : c.expect;
    return { tags: c.tags, request: fill(c.request), ...(previous ? { previous } : {}), expect };
  });
  return { nowMs: Date.parse(file.nowIso), cases };
}
