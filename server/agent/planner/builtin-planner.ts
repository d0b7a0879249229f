/**
 * The built-in planner: offline, deterministic, no model. A request is split into clauses; each
 * clause is ranked against the catalog with BM25F and accepted only when the best service both scores
 * above a minimum relevance and accounts for most of the clause's words (its own vocabulary plus the
 * parameters it takes). Anything less is a question or a plain "no such service": it never guesses a
 * paid call. Same catalog and same text give the same result.
 */
import type { CatalogService, PlanStep, PlannerResult } from '../../../shared/catalog';
import { indexCatalog } from './catalog-index';
import type { CatalogIndex } from './catalog-index';
import { splitClauses } from './clauses';
import type { Clause } from './clauses';
import { extractEntities } from './entities';
import { checkInput, inputProperties, questionFor } from './input-schema';
import { fillParameters } from './parameters';
import type { ClauseParameters, FilledParameters } from './parameters';
import { placeholders, prepareRequest, withoutPlaceholders } from './request-text';
import type { PreparedRequest } from './request-text';
import type { PreviousAnswer } from './planner';
import type { Bm25Hit } from './text/bm25';
import { stem, terms, words } from './text/terms';

export interface BuiltinPlannerOptions {
  /** Resolves "today" and "tomorrow"; without it relative dates are left to the provider's default. */
  nowMs?: number;
  /** The previous request and its answer's text, for follow-ups ("translate that"). */
  previous?: PreviousAnswer;
  /** Minimum BM25F score for a service to be chosen at all. */
  minScore?: number;
  /** Minimum share of a clause's words the service must account for. */
  minCoverage?: number;
  /** A runner-up scoring at least this share of the best makes the clause ambiguous. */
  ambiguityRatio?: number;
}

type Settings = Required<Omit<BuiltinPlannerOptions, 'nowMs' | 'previous'>> & Pick<BuiltinPlannerOptions, 'nowMs' | 'previous'>;

export const BUILTIN_PLANNER_DEFAULTS: Settings = { minScore: 2, minCoverage: 0.5, ambiguityRatio: 0.9 };
const MAX_STEPS = 8;
// Words that point back at an earlier result ("translate it", "then summarise the result").
const BACK_REFERENCES = new Set(['it', 'that', 'this', 'them', 'those', 'result', 'results', 'output', 'answer']);
const DETERMINERS = new Set(['the', 'that', 'this', 'its', 'your']);

interface Analysis {
  clause: Clause;
  words: string[];
  /** Ranking terms minus words that refer back to an earlier step's service ("the summary"). */
  terms: string[];
  quoteIds: number[];
  params: ClauseParameters;
  /** Index of an earlier clause whose service this clause refers to by name. */
  referencedClause?: number;
  choice: Choice;
}

type Choice =
  | { kind: 'service'; service: CatalogService; hit: Bm25Hit; filled: FilledParameters }
  | { kind: 'ambiguous'; services: CatalogService[] }
  | { kind: 'none'; weak: CatalogService[] };

type Problem = Extract<PlannerResult, { kind: 'clarify' | 'unsupported' }>;

const indexCache = new WeakMap<readonly CatalogService[], CatalogIndex>();

export function planRequest(request: string, catalog: readonly CatalogService[], options: BuiltinPlannerOptions = {}): PlannerResult {
  const settings: Settings = { ...BUILTIN_PLANNER_DEFAULTS, ...options };
  const text = request.trim();
  if (text.length === 0) return clarify('What would you like me to do?');
  const prepared = prepareRequest(text);
  const clauses = splitClauses(prepared.instruction);
  if (clauses.length === 0) {
    const material = prepared.quotes.length > 0 || prepared.urls.length > 0 || prepared.payload !== undefined;
    return clarify(material ? 'What would you like me to do with this text?' : 'What would you like me to do?');
  }

  let index = indexCache.get(catalog);
  if (!index) {
    index = indexCatalog(catalog);
    indexCache.set(catalog, index);
  }
  const byId = new Map(catalog.map((s) => [s.id, s]));

  const analyses: Analysis[] = [];
  for (const clause of clauses) {
    const analysis = analyse(clause, prepared, analyses, index, byId, settings);
    const previous = analyses.at(-1);
    // A comma only separates requests when what follows asks for a service of its own; otherwise
    // it was part of the clause before ("weather in Paris, France").
    if (clause.connector === 'comma' && previous && analysis.choice.kind !== 'service') {
      const merged = { ...previous.clause, text: `${previous.clause.text}, ${clause.text}` };
      analyses[analyses.length - 1] = analyse(merged, prepared, analyses.slice(0, -1), index, byId, settings);
      continue;
    }
    analyses.push(analysis);
  }
  if (analyses.length > MAX_STEPS) return clarify(`That is more than ${MAX_STEPS} things at once. Which should I do first?`);

  const resolved = resolveServices(analyses, settings);
  if (!Array.isArray(resolved)) return resolved;
  return buildPlan(text, prepared, resolved);
}

function clarify(question: string, missingInput?: { serviceId: string; field: string }): Problem {
  return missingInput ? { kind: 'clarify', question, missingInput } : { kind: 'clarify', question };
}

function analyse(
  clause: Clause,
  prepared: PreparedRequest,
  earlier: readonly Analysis[],
  index: CatalogIndex,
  byId: ReadonlyMap<string, CatalogService>,
  settings: Settings,
): Analysis {
  const plain = withoutPlaceholders(clause.text);
  const clauseWords = words(plain);
  const reference = findNameReference(clauseWords, earlier);
  const clauseTerms = terms(plain).filter((t) => !reference?.stems.has(t));
  const params: ClauseParameters = {
    entities: extractEntities(plain, settings.nowMs),
    words: clauseWords,
    urls: placeholders(clause.text, 'u').map((i) => prepared.urls[i] ?? ''),
  };
  const choice = choose(clauseTerms, params, index, byId, settings);
  return {
    clause,
    words: clauseWords,
    terms: clauseTerms,
    quoteIds: placeholders(clause.text, 'q'),
    params,
    ...(reference ? { referencedClause: reference.clauseIndex } : {}),
    choice,
  };
}

/** "translate the summary": a determiner followed by the name of an earlier clause's service. */
function findNameReference(clauseWords: string[], earlier: readonly Analysis[]): { clauseIndex: number; stems: Set<string> } | undefined {
  for (let i = 1; i < clauseWords.length; i++) {
    if (!DETERMINERS.has(clauseWords[i - 1] ?? '')) continue;
    const referred = stem(clauseWords[i] ?? '');
    for (let c = earlier.length - 1; c >= 0; c--) {
      const choice = earlier[c]?.choice;
      if (choice?.kind === 'service' && terms(choice.service.name).includes(referred)) return { clauseIndex: c, stems: new Set([referred]) };
    }
  }
  return undefined;
}

function coverage(clauseTerms: readonly string[], hit: Bm25Hit, filled: FilledParameters): number {
  if (clauseTerms.length === 0) return 0;
  const covered = clauseTerms.filter((t) => hit.matched.includes(t) || filled.consumed.has(t)).length;
  return covered / clauseTerms.length;
}

function choose(clauseTerms: string[], params: ClauseParameters, index: CatalogIndex, byId: ReadonlyMap<string, CatalogService>, settings: Settings): Choice {
  const passing: Array<{ service: CatalogService; hit: Bm25Hit; filled: FilledParameters }> = [];
  // Services that explain the clause's words but score too low to choose: worth asking about.
  const weak: CatalogService[] = [];
  for (const hit of index.bm25.search(clauseTerms)) {
    const service = byId.get(hit.id);
    // A service is chosen for what it does; matching only its input vocabulary is not enough.
    if (!service || !hit.matched.some((t) => index.describes(hit.id, t))) continue;
    const filled = fillParameters(service, params, new Set(hit.matched));
    if (coverage(clauseTerms, hit, filled) < settings.minCoverage) continue;
    if (hit.score >= settings.minScore) passing.push({ service, hit, filled });
    else weak.push(service);
  }
  const [best, runnerUp] = passing;
  if (!best) return { kind: 'none', weak: weak.slice(0, 3) };
  if (runnerUp && runnerUp.hit.score >= best.hit.score * settings.ambiguityRatio) {
    return { kind: 'ambiguous', services: passing.filter((p) => p.hit.score >= best.hit.score * settings.ambiguityRatio).map((p) => p.service) };
  }
  return { kind: 'service', ...best };
}

interface Resolved {
  analysis: Analysis;
  clauseIndex: number;
  service: CatalogService;
  filled: FilledParameters;
  /** Set when the clause named no service of its own and repeats a neighbour's with new parameters. */
  inheritedFrom?: number;
}

/** Every clause gets a service, or the whole request becomes one question or one "unsupported". */
function resolveServices(analyses: Analysis[], settings: Settings): Resolved[] | Problem {
  const resolved: Resolved[] = [];
  const problems: Problem[] = [];
  analyses.forEach((analysis, clauseIndex) => {
    const { choice } = analysis;
    if (choice.kind === 'service') {
      // A clause of bare parameters ("... and London") shares the neighbour's other parameters.
      const bare = analysis.terms.every((t) => choice.filled.consumed.has(t));
      const inherited = bare ? inherit(analyses, clauseIndex, settings) : undefined;
      resolved.push(inherited ?? { analysis, clauseIndex, service: choice.service, filled: choice.filled });
      return;
    }
    if (choice.kind === 'none') {
      const inherited = inherit(analyses, clauseIndex, settings);
      if (inherited) {
        resolved.push(inherited);
        return;
      }
      if (analysis.terms.length === 0 && analysis.quoteIds.length === 0) return; // only filler ("please", "thanks")
    }
    problems.push(problemFor(analysis));
  });
  const unsupported = problems.find((p) => p.kind === 'unsupported');
  if (unsupported) return unsupported;
  if (problems[0]) return problems[0];
  if (resolved.length === 0) return clarify('What would you like me to do?');
  return resolved;
}

/** "weather in Paris and London": a clause of bare parameters repeats the nearest clause's service. */
function inherit(analyses: readonly Analysis[], clauseIndex: number, settings: Settings): Resolved | undefined {
  const analysis = analyses[clauseIndex];
  if (!analysis || analysis.terms.length === 0) return undefined;
  const order = [...analyses.keys()].filter((i) => i !== clauseIndex).sort((a, b) => Math.abs(a - clauseIndex) - Math.abs(b - clauseIndex) || a - b);
  for (const donorIndex of order) {
    const donor = analyses[donorIndex]?.choice;
    if (donor?.kind !== 'service') continue;
    const own = fillParameters(donor.service, analysis.params);
    const covered = analysis.terms.filter((t) => own.consumed.has(t)).length / analysis.terms.length;
    if (own.consumed.size === 0 || covered < settings.minCoverage) return undefined;
    // Keep the donor's other parameters ("weather in Paris tomorrow and London" means London tomorrow too).
    const input = { ...donor.filled.input, ...own.input };
    const described = Object.entries(input).map(([k, v]) => `${k}: ${String(v)}`);
    return { analysis, clauseIndex, service: donor.service, filled: { input, consumed: own.consumed, described }, inheritedFrom: donorIndex };
  }
  return undefined;
}

function problemFor(analysis: Analysis): Problem {
  const said = withoutPlaceholders(analysis.clause.text).replace(/\s+/g, ' ').trim();
  const { choice } = analysis;
  if (analysis.terms.length === 0) return clarify('What would you like me to do with this text?');
  if (choice.kind === 'ambiguous') {
    const options = choice.services.map((s) => `${s.name} (${s.description})`);
    return clarify(`For "${said}", did you mean ${joinOr(options)}?`);
  }
  if (choice.kind === 'none' && choice.weak.length > 0) {
    return clarify(`I am not sure which service "${said}" needs. Did you mean ${joinOr(choice.weak.map((s) => s.name))}? Please say more.`);
  }
  const missing = politeStripped(said);
  return { kind: 'unsupported', missing, message: `No catalogued service can help with "${missing}".` };
}

function politeStripped(said: string): string {
  const stripped = said
    .replace(/^(please\s+)?(can|could|would|will)\s+you\s+(please\s+)?/i, '')
    .replace(/^(i\s+(want|need|would like|'d like)\s+(you\s+)?(to\s+)?)/i, '')
    .replace(/^please\s+/i, '')
    .replace(/[?!.]+$/, '')
    .trim();
  return stripped.length > 0 ? stripped.charAt(0).toLowerCase() + stripped.slice(1) : said;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A step made so far, with the text input it took (if its service takes text). */
interface BuiltStep {
  step: PlanStep;
  textField?: string;
}

function buildPlan(request: string, prepared: PreparedRequest, resolved: Resolved[]): PlannerResult {
  const built: BuiltStep[] = [];
  const stepOfClause = new Map<number, PlanStep>();
  for (const item of resolved) {
    const made = buildStep(item, built, stepOfClause, prepared);
    if ('kind' in made) return made;
    built.push(made);
    // A clause's first step stands for it when a later clause refers back to it by name.
    if (!stepOfClause.has(item.clauseIndex)) stepOfClause.set(item.clauseIndex, made.step);
  }
  return { kind: 'plan', plan: { request, planner: 'builtin', steps: built.map((b) => b.step) } };
}

function buildStep(item: Resolved, earlier: readonly BuiltStep[], stepOfClause: ReadonlyMap<number, PlanStep>, prepared: PreparedRequest): BuiltStep | Problem {
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
    const source = textSource(item, earlier, stepOfClause, prepared, quotes);
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

  const check = checkInput(service, input, inputFrom ? [inputFrom.field] : []);
  if (!check.ok) {
    const question = questionFor(service, check.field);
    if (check.reason === 'missing_input') return clarify(question, { serviceId: service.id, field: check.field });
    return clarify(`${service.name} cannot take that ${check.field} (${check.message}). ${question}`, { serviceId: service.id, field: check.field });
  }
  const said = withoutPlaceholders(analysis.clause.text).replace(/\s+/g, ' ').trim();
  const details = [...item.filled.described, ...sources];
  const why = item.inheritedFrom !== undefined ? `"${said}" repeats ${service.name} with new parameters` : `"${said}" matches ${service.name}`;
  const step: PlanStep = {
    id,
    serviceId: service.id,
    input,
    ...(inputFrom ? { inputFrom } : {}),
    reason: `${why} (${service.providerName})${details.length ? `; ${details.join('; ')}` : ''}.`,
  };
  return textField ? { step, textField } : { step };
}

type TextSource =
  | { kind: 'literal'; text: string; label: string }
  | { kind: 'chain'; step: PlanStep }
  | { kind: 'url'; url: string }
  | { kind: 'none' };

/**
 * Where a text input comes from, in order: the clause's own quote; the text of the step a bare
 * clause repeats; an earlier step named ("the
 * summary"); the previous step's result when pointed at ("it", or a "then" sequence); the request's
 * payload; the same text as the last text step ("sentiment of '...' and summarise"), or its output
 * when it had none of its own. Otherwise nothing, and the planner asks.
 */
function textSource(item: Resolved, earlier: readonly BuiltStep[], stepOfClause: ReadonlyMap<number, PlanStep>, prepared: PreparedRequest, quotes: string[]): TextSource {
  const { analysis } = item;
  const quote = quotes[0];
  if (quote !== undefined && quote.length > 0) return { kind: 'literal', text: quote, label: `"${preview(quote)}"` };
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
  const previous = earlier.at(-1);
  const pointsBack = analysis.words.some((w) => BACK_REFERENCES.has(w)) || analysis.clause.connector === 'then';
  if (previous && pointsBack) return { kind: 'chain', step: previous.step };
  if (prepared.payload) return { kind: 'literal', text: prepared.payload, label: `the text given ("${preview(prepared.payload)}")` };
  const lastTextStep = [...earlier].reverse().find((b) => b.textField !== undefined);
  const previousText = lastTextStep?.textField ? lastTextStep.step.input[lastTextStep.textField] : undefined;
  if (lastTextStep && typeof previousText === 'string') return { kind: 'literal', text: previousText, label: `the same text as step ${lastTextStep.step.id}` };
  if (lastTextStep) return { kind: 'chain', step: lastTextStep.step };
  const url = analysis.params.urls[0] ?? prepared.urls[0];
  if (url) return { kind: 'url', url };
  return { kind: 'none' };
}

function preview(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
}
