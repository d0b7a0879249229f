/**
 * `npm run eval:planner`: runs the built-in planner over its evaluation set on the sandbox market's
 * catalog and prints accuracy, refusal precision and recall, and every failure. Exits non-zero when
 * it falls below the accuracy the unit test records, or plans more requests that must be refused than it records.
 */
import { catalogSchema } from '../shared/catalog';
import cases from '../server/agent/planner/eval/cases.json';
import { readEvalSet } from '../server/agent/planner/eval/eval-set';
import { evaluate, formatReport } from '../server/agent/planner/eval/evaluate';
import recorded from '../server/agent/planner/eval/recorded.json';
import fixture from '../server/agent/planner/fixtures/market-catalog.json';
import { createBuiltinPlanner } from '../server/agent/planner/planner';

const catalog = catalogSchema.parse(fixture);
const set = readEvalSet(cases);
const planner = createBuiltinPlanner();
const started = performance.now();
const report = await evaluate(set.cases, async (c) => {
  const outcome = await planner.plan({ text: c.request, catalog, nowMs: set.nowMs, ...(c.previous ? { previous: c.previous } : {}) });
  if (!outcome.ok) throw new Error(`the built-in planner failed: ${outcome.detail}`);
  return outcome.result;
});
const elapsedMs = performance.now() - started;
console.log(formatReport(report));
console.log(`\n${report.total} requests planned in ${elapsedMs.toFixed(0)} ms; recorded accuracy ${(recorded.accuracy * 100).toFixed(1)}%.`);
if (report.accuracy < recorded.accuracy || report.paidRefusals > recorded.paidRefusals) process.exitCode = 1;
