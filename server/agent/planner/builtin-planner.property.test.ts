import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogSchema, plannerResultSchema } from '../../../shared/catalog';
import { planRequest } from './builtin-planner';
import fixture from './fixtures/market-catalog.json';
import { checkInput } from './input-schema';

const catalog = catalogSchema.parse(fixture);
const byId = new Map(catalog.map((s) => [s.id, s]));

// Requests built from the catalog's own vocabulary, filler, parameters, quotes and joiners, so the
// generator reaches plans, chains, questions and refusals rather than only noise.
const fragment = fc.oneof(
  fc.constantFrom('weather', 'joke', 'BTC price', 'fee estimate', 'summarise', 'translate', 'sentiment', 'headlines', 'market report'),
  fc.constantFrom('in Paris', 'in london', 'tomorrow', 'in euros', 'GBP', 'to Spanish', 'into German', '3', 'about science', 'monthly'),
  fc.constantFrom('and', 'then', ',', ';', 'and then', 'it', 'the summary', 'please', 'book a flight', 'http://x.example/a'),
  fc.string({ maxLength: 12 }).map((s) => `'${s}'`),
  fc.string({ maxLength: 20 }),
);

describe('built-in planner on generated requests', () => {
  it('always returns a valid result, and every planned input passes its service schema', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 10 }), (parts) => {
        const request = parts.join(' ');
        const result = planRequest(request, catalog, { nowMs: Date.UTC(2026, 0, 1) });
        expect(plannerResultSchema.safeParse(result).success).toBe(true);
        if (result.kind !== 'plan') return;
        const ids = new Set<string>();
        for (const step of result.plan.steps) {
          const service = byId.get(step.serviceId);
          expect(service).toBeDefined();
          if (!service) return;
          if (step.inputFrom) expect(ids.has(step.inputFrom.stepId)).toBe(true); // chains only point backwards
          expect(checkInput(service, step.input, step.inputFrom ? [step.inputFrom.field] : [])).toEqual({ ok: true });
          ids.add(step.id);
        }
        expect(planRequest(request, catalog, { nowMs: Date.UTC(2026, 0, 1) })).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });
});
