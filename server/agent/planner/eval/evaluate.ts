/**
 * Scores a planner on the evaluation set: each case is right or wrong as a whole (the kind of result,
 * every service in order, every expected input, every chained source, what a partial plan leaves
 * out), and refusals are measured on their own, because a request that must be refused and got a
 * plan is the costly mistake: money would move for something nobody asked for.
 */
import type { PlannerResult } from '../../../../shared/catalog';
import type { EvalCase, Expectation } from './eval-set';

export interface CaseOutcome {
  case: EvalCase;
  result: PlannerResult;
  /** Why it is wrong; absent when right. */
  wrong?: string;
}

export interface EvalReport {
  total: number;
  correct: number;
  accuracy: number;
  refusal: { precision: number; recall: number; expected: number; given: number; right: number; rightlyGiven: number };
  /** Cases that must be refused (or declined) and got a plan: each would have been quoted and possibly paid. */
  paidRefusals: number;
  byTag: Record<string, { total: number; correct: number }>;
  failures: CaseOutcome[];
}

export type PlanCase = (c: EvalCase) => Promise<PlannerResult> | PlannerResult;

export async function evaluate(cases: readonly EvalCase[], plan: PlanCase): Promise<EvalReport> {
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) {
    const result = await plan(c);
    const wrong = judge(c.expect, result);
    outcomes.push(wrong === undefined ? { case: c, result } : { case: c, result, wrong });
  }
  return report(outcomes);
}

function report(outcomes: readonly CaseOutcome[]): EvalReport {
  const correct = outcomes.filter((o) => o.wrong === undefined).length;
  const mustRefuse = (o: CaseOutcome) => o.case.expect.kind === 'refuse';
  const refused = (o: CaseOutcome) => o.result.kind === 'unsupported';
  const expected = outcomes.filter(mustRefuse).length;
  const given = outcomes.filter(refused).length;
  // A refusal is also right where a question or a refusal would do (an input the service does not offer).
  const right = outcomes.filter((o) => mustRefuse(o) && refused(o)).length;
  const rightlyGiven = outcomes.filter((o) => (mustRefuse(o) || o.case.expect.kind === 'decline') && refused(o)).length;
  const byTag: EvalReport['byTag'] = {};
  for (const o of outcomes) {
    for (const tag of o.case.tags) {
      const entry = (byTag[tag] ??= { total: 0, correct: 0 });
      entry.total += 1;
      if (o.wrong === undefined) entry.correct += 1;
    }
  }
  return {
    total: outcomes.length,
    correct,
    accuracy: outcomes.length === 0 ? 0 : correct / outcomes.length,
    refusal: { precision: given === 0 ? 1 : rightlyGiven / given, recall: expected === 0 ? 1 : right / expected, expected, given, right, rightlyGiven },
    paidRefusals: outcomes.filter((o) => (o.case.expect.kind === 'refuse' || o.case.expect.kind === 'decline') && o.result.kind === 'plan').length,
    byTag,
    failures: outcomes.filter((o) => o.wrong !== undefined),
  };
}

/** Why a result does not meet the expectation, or undefined when it does. */
export function judge(expect: Expectation, result: PlannerResult): string | undefined {
  switch (expect.kind) {
    case 'refuse':
      return result.kind === 'unsupported' ? undefined : `expected a refusal, got ${describe(result)}`;
    case 'decline':
      return result.kind === 'plan' ? `expected a question or a refusal, got ${describe(result)}` : undefined;
    case 'clarify':
      if (result.kind !== 'clarify') return `expected a question${expect.field ? ` for ${expect.field}` : ''}, got ${describe(result)}`;
      if (expect.field !== undefined && result.missingInput?.field !== expect.field) return `expected a question for ${expect.field}, got ${describe(result)}`;
      return undefined;
    case 'plan':
      return judgePlan(expect, result);
  }
}

function judgePlan(expect: Extract<Expectation, { kind: 'plan' }>, result: PlannerResult): string | undefined {
  if (result.kind !== 'plan') return `expected a plan, got ${describe(result)}`;
  const steps = result.plan.steps;
  const names = steps.map((s) => serviceName(s.serviceId));
  const wanted = expect.steps.map((s) => s.service);
  if (names.join(',') !== wanted.join(',')) return `expected ${wanted.join(' -> ')}, got ${describe(result)}`;
  for (const [i, want] of expect.steps.entries()) {
    const step = steps[i];
    if (!step) continue;
    for (const [key, value] of Object.entries(want.input ?? {})) {
      if (JSON.stringify(step.input[key]) !== JSON.stringify(value)) return `step ${i + 1} ${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(step.input[key])}`;
    }
    const source = want.from === undefined ? undefined : steps[want.from - 1]?.id;
    if (step.inputFrom?.stepId !== source) return `step ${i + 1}: expected its input from ${source ?? 'the request'}, got ${step.inputFrom?.stepId ?? 'the request'}`;
  }
  const seen = new Set<string>();
  for (const step of steps) {
    const key = JSON.stringify([step.serviceId, step.input, step.inputFrom ?? null]);
    if (seen.has(key)) return `plans the same call twice (${serviceName(step.serviceId)})`;
    seen.add(key);
  }
  const notDone = result.plan.notDone?.length ?? 0;
  if (notDone !== (expect.notDone ?? 0)) return `expected ${expect.notDone ?? 0} ask(s) left undone, got ${notDone} (${describe(result)})`;
  return undefined;
}

function serviceName(serviceId: string): string {
  return serviceId.slice(serviceId.lastIndexOf('/') + 1);
}

export function describe(result: PlannerResult): string {
  switch (result.kind) {
    case 'plan': {
      const steps = result.plan.steps.map((s) => `${serviceName(s.serviceId)}${JSON.stringify(s.input).replace(/"text":"([^"]{0,20})[^"]*"/, '"text":"$1…"')}${s.inputFrom ? `<-${s.inputFrom.stepId}` : ''}`);
      const left = result.plan.notDone ? ` (not done: ${result.plan.notDone.map((n) => n.said).join('; ')})` : '';
      return `plan ${steps.join(' -> ')}${left}`;
    }
    case 'clarify':
      return `question${result.missingInput ? ` for ${result.missingInput.field}` : ''} "${result.question}"`;
    case 'unsupported':
      return `refusal "${result.message}"`;
  }
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

/** The report as a person reads it: figures first, then every failure with what was expected. */
export function formatReport(r: EvalReport): string {
  const lines = [
    `Planner evaluation: ${r.correct}/${r.total} right (accuracy ${pct(r.accuracy)})`,
    `Refusals: precision ${pct(r.refusal.precision)} (${r.refusal.rightlyGiven}/${r.refusal.given}), recall ${pct(r.refusal.recall)} (${r.refusal.right}/${r.refusal.expected})`,
    `Plans for requests that must be refused or declined: ${r.paidRefusals}`,
    '',
    'By kind:',
    ...Object.entries(r.byTag)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tag, t]) => `  ${tag.padEnd(10)} ${String(t.correct).padStart(3)}/${String(t.total).padEnd(3)} ${pct(t.correct / t.total)}`),
    '',
    `Failures (${r.failures.length}):`,
    ...r.failures.map((f) => `  - ${JSON.stringify(f.case.request.length > 90 ? `${f.case.request.slice(0, 87)}...` : f.case.request)}${f.case.previous ? ' (follow-up)' : ''}\n      ${f.wrong ?? ''}`),
  ];
  return lines.join('\n');
}
