/**
 * The bar every plan meets, whichever planner made it: the same call is never planned twice (the
 * service's input defaults filled in before comparing, chains following the step kept), and every
 * chain is checked against the published output schemas before anything is quoted (`checkChains`).
 */
import type { CatalogService, PlanStep } from '../../../shared/catalog';
import { checkChains } from './chain';
import type { ChainCheck } from './chain';

/** Drops repeated calls and renumbers the steps; a chained step follows the twin that was kept. */
export function dedupeSteps(steps: readonly PlanStep[], serviceOf: (serviceId: string) => CatalogService | undefined): PlanStep[] {
  const kept: PlanStep[] = [];
  const renamed = new Map<string, string>();
  for (const step of steps) {
    const inputFrom = step.inputFrom && { ...step.inputFrom, stepId: renamed.get(step.inputFrom.stepId) ?? step.inputFrom.stepId };
    const candidate: PlanStep = { ...step, ...(inputFrom ? { inputFrom } : {}) };
    const twinIndex = kept.findIndex((k) => sameCall(k, candidate, serviceOf(step.serviceId)));
    const twin = kept[twinIndex];
    if (twin) {
      renamed.set(step.id, twin.id);
      // Keep the more explicit input: "the bitcoin price? I mean in dollars".
      if (Object.keys(candidate.input).length > Object.keys(twin.input).length) kept[twinIndex] = { ...twin, input: candidate.input, reason: candidate.reason };
      continue;
    }
    const id = `s${kept.length + 1}`;
    renamed.set(step.id, id);
    kept.push({ ...candidate, id });
  }
  return kept;
}

function defaultsOf(service: CatalogService | undefined): Record<string, unknown> {
  const properties = service?.inputSchema.properties ?? {};
  return Object.fromEntries(Object.entries(properties).filter(([, s]) => s['default'] !== undefined).map(([k, s]) => [k, s['default']]));
}

function sameCall(a: PlanStep, b: PlanStep, service: CatalogService | undefined): boolean {
  if (a.serviceId !== b.serviceId || JSON.stringify(a.inputFrom ?? null) !== JSON.stringify(b.inputFrom ?? null)) return false;
  const defaults = defaultsOf(service);
  const key = (step: PlanStep) => JSON.stringify(Object.entries({ ...defaults, ...step.input }).sort(([x], [y]) => x.localeCompare(y)));
  return key(a) === key(b);
}

/** Dedupes, then checks and names every chain's output path; a chain that cannot work is refused here. */
export function validateSteps(steps: readonly PlanStep[], catalog: readonly CatalogService[]): ChainCheck {
  const byId = new Map(catalog.map((s) => [s.id, s]));
  return checkChains(dedupeSteps(steps, (id) => byId.get(id)), (step) => byId.get(step.serviceId));
}
