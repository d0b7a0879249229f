/**
 * From analysed clauses to plan steps: each ask gets its service (or repeats a neighbour's with new
 * parameters, or is left undone and said so), counts become repeated calls, text inputs are bound to
 * their source (a quote, an earlier step, the payload, the previous answer), every input is checked
 * against the service's schema, and the same call is never planned twice.
 */
import type { CatalogService, NotDone, PlanStep, PlannerResult } from '../../../shared/catalog';
import type { Analysis, Problem, Settings } from './planner-types';
import { clarify, said } from './planner-types';
import { politeStripped } from './choice';
import { checkInput, inputProperties, questionFor } from './input-schema';
import { fillParameters } from './parameters';
import { validateSteps } from './plan-validation';
import { previousTextFor } from './previous-answer';
import type { FilledParameters } from './parameters';
import type { PreparedRequest } from './request-text';
import { stem, terms } from './text/terms';

/** At most this many asks in one request; more is asked about. */
export const MAX_STEPS = 8;
/** At most this many calls for one count ("5 jokes"); more is asked about, not quietly capped. */
export const MAX_REPEATS = 5;
// Words that point back at an earlier result ("translate it", "then summarise the result").
const BACK_REFERENCES = new Set(['it', 'that', 'this', 'them', 'those', 'result', 'results', 'output', 'answer']);
const AGAIN = new Set(['another', 'again', 'more']);
// A clause ending in one of these before the request's text ("the sentiment of: ...") has that text as its object.
const OBJECT_PREPOSITION = /\b(of|on|for|about)\s*:?$/i;
const NO_SERVICE = 'no catalogued service does that.';

interface Resolved {
  analysis: Analysis;
  clauseIndex: number;
  service: CatalogService;
  filled: FilledParameters;
  /** Set when the clause named no service of its own and repeats a neighbour's with new parameters. */
  inheritedFrom?: number;
  /** The second half of a compound clause: its text is the step just before. */
  chainsPrevious?: boolean;
  /** How many calls the clause asks for ("two jokes"). */
  count?: number;
}

export function buildPlan(request: string, prepared: PreparedRequest, analyses: Analysis[], notDone: NotDone[], settings: Settings, catalog: readonly CatalogService[]): PlannerResult {
  const resolved = resolveServices(analyses, settings, notDone);
  if (!Array.isArray(resolved)) return resolved;
  if (resolved.length === 0) {
    const [first] = notDone;
    if (!first) return clarify('What would you like me to do?');
    const why = first.why === NO_SERVICE ? '' : `: ${first.why.replace(/\.$/, '')}`;
    return { kind: 'unsupported', missing: first.said, message: `No catalogued service can help with "${first.said}"${why}. ${suggestions(analyses, catalog)}`.trim() };
  }
  const built = buildSteps(resolved, prepared, settings);
  if ('kind' in built) return built;
  const checked = validateSteps(built.map((b) => b.step), catalog);
  if (!checked.ok) return { kind: 'unsupported', missing: request, message: `${checked.message} Nothing was planned.` };
  return { kind: 'plan', plan: { request, planner: 'builtin', steps: checked.steps, ...(notDone.length > 0 ? { notDone } : {}) } };
}

/** What can be asked instead, from the catalog's own examples: the services nearest the request first. */
function suggestions(analyses: Analysis[], catalog: readonly CatalogService[]): string {
  const near = new Map<string, CatalogService>();
  for (const a of analyses) if (a.choice.kind === 'none') for (const s of a.choice.weak) near.set(s.id, s);
  const nearest = [...near.values()].flatMap((s) => s.examples.slice(0, 1));
  const examples = nearest.length > 0 ? nearest : [...catalog].sort((a, b) => a.id.localeCompare(b.id)).slice(0, 4).flatMap((s) => s.examples.slice(0, 1));
  return examples.length > 0 ? `${nearest.length > 0 ? 'Nearest things Steward can do' : 'You can ask, for example'}: ${examples.map((e) => `"${e}"`).join(', ')}.` : '';
}

/** Every ask gets a service; a question stops the plan; an ask no service does is left out, and said so. */
function resolveServices(analyses: Analysis[], settings: Settings, notDone: NotDone[]): Resolved[] | Problem {
  const resolved: Resolved[] = [];
  const questions: Problem[] = [];
  analyses.forEach((analysis, clauseIndex) => {
    const { choice } = analysis;
    switch (choice.kind) {
      case 'service': {
        // A clause of bare parameters ("... and London") shares the neighbour's other parameters.
        const bare = analysis.terms.every((t) => choice.filled.consumed.has(t));
        const inherited = bare ? inherit(analyses, clauseIndex, settings) : undefined;
        resolved.push(inherited ?? { analysis, clauseIndex, service: choice.service, filled: choice.filled, count: countOf(analysis, choice.service, choice.filled, choice.hit.matched) });
        return;
      }
      case 'compound':
        resolved.push({ analysis, clauseIndex, service: choice.producer.service, filled: choice.producer.filled, count: countOf(analysis, choice.producer.service, choice.producer.filled, choice.producer.hit.matched) });
        resolved.push({ analysis, clauseIndex, service: choice.consumer.service, filled: choice.consumer.filled, chainsPrevious: true });
        return;
      case 'cannot':
        if (choice.problem.kind === 'clarify') questions.push(choice.problem);
        else notDone.push({ said: choice.problem.missing, why: choice.problem.message.replace(/^[^:]*:\s*/, '') });
        return;
      case 'ambiguous': {
        const options = choice.services.map((s) => `${s.name} (${s.description})`);
        questions.push(clarify(`For "${said(analysis.clause.text)}", did you mean ${joinOr(options)}?`));
        return;
      }
      case 'none': {
        const inherited = inherit(analyses, clauseIndex, settings) ?? again(analysis, resolved) ?? withNewText(analysis, clauseIndex, resolved);
        if (inherited) resolved.push(inherited);
        else if (analysis.terms.length > 0 || analysis.quoteIds.length > 0) noServiceFor(analysis, questions, notDone);
      }
    }
  });
  if (questions[0]) return questions[0];
  if (resolved.length > MAX_STEPS) return clarify(`That is more than ${MAX_STEPS} things at once. Which should I do first?`);
  return resolved;
}

function noServiceFor(analysis: Analysis, questions: Problem[], notDone: NotDone[]): void {
  const text = said(analysis.clause.text);
  if (analysis.terms.length === 0) {
    questions.push(clarify('What would you like me to do with this text?'));
    return;
  }
  const { choice } = analysis;
  // One word several services share ("bitcoin"): ask which, rather than refuse.
  if (choice.kind === 'none' && choice.weak.length > 1 && analysis.terms.length === 1) {
    questions.push(clarify(`I am not sure which service "${text}" needs. Did you mean ${joinOr(choice.weak.map((s) => s.name))}? Please say more.`));
    return;
  }
  notDone.push({ said: politeStripped(text), why: NO_SERVICE });
}

/** "tell me a joke and then another one": repeats the nearest earlier step's service. */
function again(analysis: Analysis, resolved: readonly Resolved[]): Resolved | undefined {
  if (analysis.terms.length > 0 || !analysis.words.some((w) => AGAIN.has(w))) return undefined;
  const donor = resolved.at(-1);
  return donor && { ...donor, analysis, count: 1, inheritedFrom: donor.clauseIndex, chainsPrevious: false };
}

/** "the sentiment of 'A' and of 'B'": a clause of only a quote repeats the step before on that text. */
function withNewText(analysis: Analysis, clauseIndex: number, resolved: readonly Resolved[]): Resolved | undefined {
  const donor = resolved.at(-1);
  if (analysis.terms.length > 0 || analysis.quoteIds.length === 0 || !donor) return undefined;
  return { ...donor, analysis, clauseIndex, inheritedFrom: donor.clauseIndex, chainsPrevious: false };
}

/** "two jokes": a number next to the service's own words, when no input of the service took it. */
function countOf(analysis: Analysis, service: CatalogService, filled: FilledParameters, matched: readonly string[]): number | undefined {
  if (inputProperties(service).some((p) => p.kind === 'number' && filled.input[p.name] !== undefined)) return undefined;
  // Next to what the service is (its name or tags), not to any word it matched: "5000 sats" is no count of jokes.
  const own = new Set(terms(`${service.name} ${service.tags.join(' ')}`).filter((t) => matched.includes(t)));
  const near = analysis.params.entities.numbers.find((n) => !filled.consumed.has(String(n.value)) && n.near.some((w) => own.has(stem(w))));
  return near && near.value >= 2 && Number.isInteger(near.value) ? near.value : undefined;
}

/** "weather in Paris and London": a clause of bare parameters repeats the nearest clause's service. */
function inherit(analyses: readonly Analysis[], clauseIndex: number, settings: Settings): Resolved | undefined {
  const analysis = analyses[clauseIndex];
  if (!analysis) return undefined;
  const order = [...analyses.keys()].filter((i) => i !== clauseIndex).sort((a, b) => Math.abs(a - clauseIndex) - Math.abs(b - clauseIndex) || a - b);
  for (const donorIndex of order) {
    const donor = analyses[donorIndex]?.choice;
    if (donor?.kind !== 'service') continue;
    const own = fillParameters(donor.service, analysis.params);
    // "... today and tomorrow": a clause of only a parameter has no other words to explain.
    const covered = analysis.terms.length === 0 ? 1 : analysis.terms.filter((t) => own.consumed.has(t)).length / analysis.terms.length;
    if (own.consumed.size === 0 || covered < settings.minCoverage) return undefined;
    // Keep the donor's other parameters ("weather in Paris tomorrow and London" means London tomorrow too).
    const input = { ...donor.filled.input, ...own.input };
    const described = Object.entries(input).map(([k, v]) => `${k}: ${String(v)}`);
    // A last clause's extra parameter applies to the one it follows too ("Singapore and Nairobi tomorrow").
    if (donorIndex === clauseIndex - 1 && clauseIndex === analyses.length - 1) {
      for (const [key, value] of Object.entries(own.input)) if (donor.filled.input[key] === undefined && key !== Object.keys(own.input)[0]) donor.filled.input[key] = value;
    }
    return { analysis, clauseIndex, service: donor.service, filled: { input, consumed: own.consumed, described }, inheritedFrom: donorIndex };
  }
  return undefined;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A step made so far, with the text input it took (if its service takes text). */
interface BuiltStep {
  step: PlanStep;
  textField?: string;
  /** Its service turns text into text of its own (publishes its output's main text: a summary, a translation). */
  transformsText?: boolean;
}

function buildSteps(resolved: Resolved[], prepared: PreparedRequest, settings: Settings): BuiltStep[] | Problem {
  const built: BuiltStep[] = [];
  const stepOfClause = new Map<number, PlanStep>();
  for (const item of resolved) {
    const count = item.count ?? 1;
    if (count > MAX_REPEATS) return clarify(`I can make at most ${MAX_REPEATS} ${item.service.name} calls for one request. How many would you like?`);
    // A clause asking for several ("two jokes") or one more ("another one") numbers its calls, so a
    // service that takes a seed gives different answers; the number counts this service's earlier calls.
    const numbered = count > 1 || item.count === 1;
    for (let n = 0; n < count; n++) {
      const callNumber = numbered ? built.filter((b) => b.step.serviceId === item.service.id).length + 1 : undefined;
      const made = buildStep(item, built, stepOfClause, prepared, settings, callNumber);
      if ('kind' in made) return made;
      built.push(made);
      // A clause's last step stands for it when a later clause refers back to it by name.
      stepOfClause.set(item.clauseIndex, made.step);
    }
  }
  return built;
}

function buildStep(item: Resolved, earlier: readonly BuiltStep[], stepOfClause: ReadonlyMap<number, PlanStep>, prepared: PreparedRequest, settings: Settings, repeat: number | undefined): BuiltStep | Problem {
  const { service, analysis } = item;
  const id = `s${earlier.length + 1}`;
  const input: Record<string, unknown> = { ...item.filled.input };
  let inputFrom: PlanStep['inputFrom'];
  let textField: string | undefined;
  const sources: string[] = [];
  const quotes = analysis.quoteIds.map((i) => prepared.quotes[i] ?? '');
  for (const property of inputProperties(service)) {
    if (property.kind !== 'text' || input[property.name] !== undefined) continue;
    textField ??= property.name;
    const source = textSource(item, earlier, stepOfClause, prepared, quotes, settings);
    if (source.kind === 'literal') {
      input[property.name] = source.text;
      sources.push(`${property.name}: ${source.label}`);
    } else if (source.kind === 'chain' && !inputFrom) {
      inputFrom = { stepId: source.step.id, field: property.name };
      sources.push(`${property.name}: the output of step ${source.step.id}`);
    } else if (source.kind === 'url') {
      const missing = `fetch the web page at ${source.url}`;
      return { kind: 'unsupported', missing, message: `No catalogued service can ${missing}; paste its text instead.` };
    }
  }
  // Repeated calls of a service that takes a seed ask for different answers ("two jokes").
  const seed = repeat !== undefined ? inputProperties(service).find((p) => /seed/i.test(`${p.name} ${p.description}`) && !p.required) : undefined;
  if (seed && repeat !== undefined) input[seed.name] = `${settings.nowMs !== undefined ? Math.floor(settings.nowMs / 60_000) : 0}-${repeat}`;
  const check = checkInput(service, input, inputFrom ? [inputFrom.field] : []);
  if (!check.ok) {
    const question = questionFor(service, check.field);
    if (check.reason === 'missing_input') return clarify(question, { serviceId: service.id, field: check.field });
    return clarify(`${service.name} cannot take that ${check.field} (${check.message}). ${question}`, { serviceId: service.id, field: check.field });
  }
  const details = [...item.filled.described, ...sources];
  const why = item.inheritedFrom !== undefined ? `"${said(analysis.clause.text)}" repeats ${service.name} with new parameters` : `"${said(analysis.clause.text)}" matches ${service.name}`;
  const step: PlanStep = { id, serviceId: service.id, input, ...(inputFrom ? { inputFrom } : {}), reason: `${why} (${service.providerName})${details.length ? `; ${details.join('; ')}` : ''}.` };
  return textField ? { step, textField, ...(service.outputTextField ? { transformsText: true } : {}) } : { step };
}

type TextSource = { kind: 'literal'; text: string; label: string } | { kind: 'chain'; step: PlanStep } | { kind: 'url'; url: string } | { kind: 'none' };

/**
 * Where a text input comes from, in order: the clause's own quote; the step a compound clause makes
 * first; the text of the step a bare clause repeats; an earlier step named ("the summary"); the
 * previous step's result when pointed at ("it", or a "then" sequence); the output of the last step
 * that turned the text into text of its own (a summary, a translation); the request's payload; the
 * previous answer, for a follow-up; the same text as the last text step, or its output; the previous
 * step's result. Otherwise nothing, and the planner asks.
 */
function textSource(item: Resolved, earlier: readonly BuiltStep[], stepOfClause: ReadonlyMap<number, PlanStep>, prepared: PreparedRequest, quotes: string[], settings: Settings): TextSource {
  const { analysis } = item;
  const quote = quotes[0];
  if (quote !== undefined && quote.length > 0) return { kind: 'literal', text: quote, label: `"${preview(quote)}"` };
  const previous = earlier.at(-1);
  if (item.chainsPrevious && previous) return { kind: 'chain', step: previous.step };
  // A repeated service ("... to Spanish and then to French") takes the same text as the step it repeats.
  const donor = item.inheritedFrom !== undefined ? earlier.find((b) => b.step === stepOfClause.get(item.inheritedFrom ?? -1)) : undefined;
  if (donor?.textField) {
    const donorText = donor.step.input[donor.textField];
    if (typeof donorText === 'string') return { kind: 'literal', text: donorText, label: `the same text as step ${donor.step.id}` };
    const donorSource = donor.step.inputFrom && earlier.find((b) => b.step.id === donor.step.inputFrom?.stepId);
    if (donorSource) return { kind: 'chain', step: donorSource.step };
  }
  const named = analysis.referencedClause !== undefined ? stepOfClause.get(analysis.referencedClause) : undefined;
  if (named) return { kind: 'chain', step: named };
  const pointsBack = analysis.words.some((w) => BACK_REFERENCES.has(w)) || analysis.clause.connector === 'then';
  if (previous && pointsBack) return { kind: 'chain', step: previous.step };
  const lastTextStep = [...earlier].reverse().find((b) => b.textField !== undefined);
  // "summarise and translate to German: <text>", "summarise 'X' and translate it": the text went to the
  // first ask, and a later one works on what that ask made of it, not on the original again.
  // "... and analyse the sentiment of: <text>" names the text itself as its object: it takes the text.
  const objectOfPayload = prepared.payload !== undefined && OBJECT_PREPOSITION.test(said(analysis.clause.text));
  if (lastTextStep?.transformsText && !objectOfPayload) return { kind: 'chain', step: lastTextStep.step };
  if (prepared.payload) return { kind: 'literal', text: prepared.payload, label: `the text given ("${preview(prepared.payload)}")` };
  if (settings.previous && earlier.length === 0) {
    const { text, named } = previousTextFor(settings.previous, analysis.words);
    return { kind: 'literal', text, label: `${named ? `the ${named} in ` : ''}your previous answer ("${preview(text)}")` };
  }
  const previousText = lastTextStep?.textField ? lastTextStep.step.input[lastTextStep.textField] : undefined;
  if (lastTextStep && typeof previousText === 'string') return { kind: 'literal', text: previousText, label: `the same text as step ${lastTextStep.step.id}` };
  if (lastTextStep) return { kind: 'chain', step: lastTextStep.step };
  if (previous) return { kind: 'chain', step: previous.step };
  const url = analysis.params.urls[0] ?? prepared.urls[0];
  if (url) return { kind: 'url', url };
  return { kind: 'none' };
}

function preview(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}
