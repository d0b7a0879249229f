import { describe, expect, it } from 'vitest';
import { catalogSchema } from '../../../../shared/catalog';
import type { PlannerResult } from '../../../../shared/catalog';
import fixture from '../fixtures/market-catalog.json';
import { planRequest } from '../builtin-planner';
import cases from './cases.json';
import { evalFileSchema, readEvalSet } from './eval-set';
import { evaluate, formatReport, judge } from './evaluate';
import recorded from './recorded.json';

const catalog = catalogSchema.parse(fixture);
const set = readEvalSet(cases);

const plan = (steps: Array<{ serviceId: string; input?: Record<string, unknown>; from?: string }>, notDone?: string[]): PlannerResult => ({
  kind: 'plan',
  plan: {
    request: 'r',
    planner: 'builtin',
    steps: steps.map((s, i) => ({ id: `s${i + 1}`, serviceId: s.serviceId, input: s.input ?? {}, reason: 'x', ...(s.from ? { inputFrom: { stepId: s.from, field: 'text' } } : {}) })),
    ...(notDone ? { notDone: notDone.map((said) => ({ said, why: 'no service does it' })) } : {}),
  },
});

describe('planner evaluation set', () => {
  it('has at least 200 requests of every kind the issue names', () => {
    const tags = new Set(set.cases.flatMap((c) => c.tags));
    expect(set.cases.length).toBeGreaterThanOrEqual(200);
    for (const tag of ['greeting', 'typo', 'context', 'multi', 'quantity', 'followup', 'refuse', 'partial', 'chain', 'dedup']) expect([tag, tags.has(tag)]).toEqual([tag, true]);
  });

  it('refuses a malformed case instead of scoring it', () => {
    const broken = { ...cases, cases: [...cases.cases.slice(0, 199), { tags: ['x'], request: 'r', expect: { kind: 'plan', steps: [] } }] };
    expect(evalFileSchema.safeParse(broken).success).toBe(false);
    const unknownPrevious = { ...cases, cases: [...cases.cases.slice(0, 200), { tags: ['x'], request: 'r', previous: 'nothing', expect: { kind: 'clarify' } }] };
    expect(evalFileSchema.safeParse(unknownPrevious).success).toBe(false);
  });

  it('fills shared texts and the previous answer into requests and expected inputs', () => {
    const followUp = set.cases.find((c) => c.previous && c.request === 'translate that into Spanish');
    expect(followUp?.expect).toMatchObject({ kind: 'plan', steps: [{ input: { text: followUp?.previous?.text } }] });
    expect(set.cases.some((c) => c.request.includes('{T'))).toBe(false);
  });
});

describe('judging one result', () => {
  it('wants every service in order, every expected input and every chained source', () => {
    const expected = { kind: 'plan' as const, steps: [{ service: 'joke' }, { service: 'translate', input: { to: 'es' }, from: 1 }] };
    expect(judge(expected, plan([{ serviceId: 'a/joke' }, { serviceId: 'w/translate', input: { to: 'es' }, from: 's1' }]))).toBeUndefined();
    expect(judge(expected, plan([{ serviceId: 'a/joke' }, { serviceId: 'w/translate', input: { to: 'fr' }, from: 's1' }]))).toMatch(/step 2 to/);
    expect(judge(expected, plan([{ serviceId: 'a/joke' }, { serviceId: 'w/translate', input: { to: 'es', text: 'x' } }]))).toMatch(/input from s1/);
    expect(judge(expected, plan([{ serviceId: 'w/translate', input: { to: 'es' } }]))).toMatch(/expected joke -> translate/);
  });

  it('counts the same call planned twice, and a partial plan that does not say what it leaves out, as wrong', () => {
    expect(judge({ kind: 'plan', steps: [{ service: 'joke' }, { service: 'joke' }] }, plan([{ serviceId: 'a/joke' }, { serviceId: 'a/joke' }]))).toMatch(/same call twice/);
    expect(judge({ kind: 'plan', steps: [{ service: 'joke' }], notDone: 1 }, plan([{ serviceId: 'a/joke' }]))).toMatch(/left undone/);
    expect(judge({ kind: 'plan', steps: [{ service: 'joke' }], notDone: 1 }, plan([{ serviceId: 'a/joke' }], ['order a pizza']))).toBeUndefined();
  });

  it('takes a refusal only as a refusal, and a decline as either a question or a refusal', () => {
    const refusal: PlannerResult = { kind: 'unsupported', missing: 'pizza', message: 'No.' };
    const question: PlannerResult = { kind: 'clarify', question: 'Which?' };
    expect(judge({ kind: 'refuse' }, refusal)).toBeUndefined();
    expect(judge({ kind: 'refuse' }, question)).toMatch(/expected a refusal/);
    expect(judge({ kind: 'decline' }, question)).toBeUndefined();
    expect(judge({ kind: 'decline' }, plan([{ serviceId: 'a/joke' }]))).toMatch(/question or a refusal/);
  });
});

describe('the built-in planner on the evaluation set', () => {
  it(`is right at least as often as recorded (${(recorded.accuracy * 100).toFixed(1)}%) and plans nothing that must be refused`, async () => {
    const report = await evaluate(set.cases, (c) => planRequest(c.request, catalog, { nowMs: set.nowMs, ...(c.previous ? { previous: c.previous } : {}) }));
    expect(report.accuracy, formatReport(report)).toBeGreaterThanOrEqual(recorded.accuracy);
    expect(report.paidRefusals, formatReport(report)).toBeLessThanOrEqual(recorded.paidRefusals);
  });
});
