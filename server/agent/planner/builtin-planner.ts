/**
 * The built-in planner: offline, deterministic, no model. A request is normalised (abbreviations,
 * count words, typos towards the catalog's vocabulary) and split into clauses; greetings are skipped,
 * statements about the person kept as context, and each ask is ranked against the catalog with BM25F.
 * A service is accepted only when it scores above a minimum relevance and accounts for most of the
 * clause's words (its own vocabulary, its synonyms, the parameters it takes), and when it can serve
 * what the clause asks (`serve-checks.ts`). An ask no service does leaves the plan partial (it says
 * so) or, alone, is refused with the nearest things Steward can do: it never guesses a paid call.
 * Same catalog and same text give the same result.
 */
import { preferredCatalog, type PlannerStanding } from './equivalents';
import type { CatalogService, NotDone, PlannerResult } from '../../../shared/catalog';
import { indexCatalog } from './catalog-index';
import type { CatalogIndex } from './catalog-index';
import { splitClauses } from './clauses';
import type { Clause } from './clauses';
import { choose } from './choice';
import { extractEntities } from './entities';
import type { Entities } from './entities';
import { FILLER, intentOf, spellCounts } from './intent';
import { fillParameters } from './parameters';
import type { ClauseParameters } from './parameters';
import { MAX_STEPS, buildPlan } from './plan-steps';
import type { PreviousAnswer } from './planner';
import { clarify, said } from './planner-types';
import type { Analysis, BuiltinPlannerOptions, Settings } from './planner-types';
import { answerNounsIn, DETERMINERS } from './previous-answer';
import { placeholders, prepareRequest, withoutPlaceholders } from './request-text';
import type { PreparedRequest } from './request-text';
import { MATERIAL_NOUNS } from './synonyms';
import { COMMON_WORDS, createCorrector, expandAbbreviations } from './text/normalise';
import { STOP_WORDS, stem, terms, words } from './text/terms';

export type { BuiltinPlannerOptions } from './planner-types';

export const BUILTIN_PLANNER_DEFAULTS: Settings = { minScore: 2, minCoverage: 0.6, ambiguityRatio: 0.9 };
const MATERIAL_STEMS = new Set([...MATERIAL_NOUNS].flatMap(terms));

interface Prepared {
  index: CatalogIndex;
  byId: ReadonlyMap<string, CatalogService>;
  correct: (word: string) => string;
}

// Keyed by what the index is built from, not the array: the catalog service hands out a new array
// per request, and indexing it (with the typo corrector's vocabulary) costs more than planning.
const preparedCache = new Map<string, Prepared>();
const PREPARED_CACHE_SIZE = 16;

function preparedFor(catalog: readonly CatalogService[]): Prepared {
  const key = JSON.stringify(catalog.map((s) => [s.id, s.name, s.description, s.tags, s.examples, s.inputSchema]));
  let prepared = preparedCache.get(key);
  if (!prepared) {
    const index = indexCatalog(catalog);
    prepared = { index, byId: new Map(catalog.map((s) => [s.id, s])), correct: createCorrector([...index.vocabulary, ...STOP_WORDS, ...FILLER, ...COMMON_WORDS]) };
    if (preparedCache.size >= PREPARED_CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value ?? '');
    preparedCache.set(key, prepared);
  }
  return prepared;
}

export function planRequest(request: string, offered: readonly CatalogService[], options: BuiltinPlannerOptions & { standing?: PlannerStanding } = {}): PlannerResult {
  const { standing, ...rest } = options;
  const settings: Settings = { ...BUILTIN_PLANNER_DEFAULTS, ...rest };
  // Of equivalent services only the better is ranked; services the person may not use are not (equivalents.ts).
  const catalog = preferredCatalog(offered, standing);
  const text = request.trim();
  if (text.length === 0) return clarify('What would you like me to do?');
  const direct = planText(text, catalog, settings);
  if (direct.kind === 'plan' || !settings.previous) return direct;
  return followUp(text, catalog, settings, settings.previous) ?? direct;
}

/**
 * "and tomorrow?", "what about London?", "another one please": a follow-up that names no service of
 * its own repeats the previous request's, with what it changes. Planned as the two requests together,
 * keeping only the new steps.
 */
function followUp(text: string, catalog: readonly CatalogService[], settings: Settings, previous: PreviousAnswer): PlannerResult | undefined {
  const without = { ...settings, previous: undefined };
  const before = planText(previous.request, catalog, without);
  if (before.kind !== 'plan') return undefined;
  const together = planText(`${previous.request}. ${text}`, catalog, without);
  if (together.kind !== 'plan' || together.plan.steps.length <= before.plan.steps.length) return undefined;
  const kept = together.plan.steps.slice(before.plan.steps.length);
  if (kept.some((s) => s.inputFrom && !kept.some((k) => k.id === s.inputFrom?.stepId))) return undefined;
  const steps = kept.map((s, i) => ({ ...s, id: `s${i + 1}`, ...(s.inputFrom ? { inputFrom: { ...s.inputFrom, stepId: `s${kept.findIndex((k) => k.id === s.inputFrom?.stepId) + 1}` } } : {}) }));
  return { kind: 'plan', plan: { ...together.plan, request: text, steps } };
}

function planText(text: string, catalog: readonly CatalogService[], settings: Settings): PlannerResult {
  const tools = preparedFor(catalog);
  let prepared = prepareRequest(text);
  // "Quick question: what's the BTC price?": a colon after words that ask for nothing introduces the request, not its material.
  if (prepared.payload !== undefined && intentOf(withoutPlaceholders(prepared.instruction)) !== 'ask') prepared = prepareRequest(text, { payload: false });
  const instruction = normalise(prepared.instruction, tools.correct);
  const clauses = splitClauses(instruction);
  const material = prepared.quotes.length > 0 || prepared.urls.length > 0 || prepared.payload !== undefined;
  if (clauses.length === 0) return clarify(material ? 'What would you like me to do with this text?' : 'What would you like me to do?');

  const asks: Clause[] = [];
  const context: Entities[] = [];
  const notDone: NotDone[] = [];
  for (const clause of clauses) {
    const plain = withoutPlaceholders(clause.text);
    const intent = placeholders(clause.text, 'q').length > 0 ? 'ask' : intentOf(plain);
    if (intent === 'context') context.push(extractEntities(plain, settings.nowMs));
    else if (intent === 'opinion') notDone.push({ said: said(clause.text), why: 'Steward gives no opinions or advice; its services fetch data and work on text.' });
    else if (intent === 'ask') asks.push(intent === 'ask' && clause.connector === 'start' && asks.length > 0 ? { ...clause, connector: 'and' } : clause);
  }
  const analyses = analyseAll(asks, prepared, tools, settings, context);
  if (analyses.length > MAX_STEPS) return clarify(`That is more than ${MAX_STEPS} things at once. Which should I do first?`);
  return buildPlan(text, prepared, analyses, notDone, settings, catalog);
}

/** Abbreviations spelled out, count words as digits, and words the catalog does not know corrected towards those it does. */
function normalise(instruction: string, correct: (word: string) => string): string {
  const expanded = spellCounts(expandAbbreviations(instruction));
  // Capitalised words past the first are names (a city); placeholders are kept as they are.
  return expanded.replace(/(^|[^\p{L}⟦])(\p{L}+)/gu, (whole, lead: string, word: string, offset: number) =>
    offset > 0 && /^\p{Lu}/u.test(word) && !/[.!?]\s*$/.test(expanded.slice(0, offset + lead.length)) ? whole : `${lead}${correct(word)}`,
  );
}

function analyseAll(asks: readonly Clause[], prepared: PreparedRequest, tools: Prepared, settings: Settings, context: readonly Entities[]): Analysis[] {
  const analyses: Analysis[] = [];
  for (const clause of asks) {
    const analysis = analyse(clause, prepared, analyses, tools, settings, context);
    const previous = analyses.at(-1);
    // A comma only separates requests when what follows asks for a service of its own, or repeats
    // the one before with a new value ("USD, EUR and GBP"); otherwise it was part of the clause
    // before ("weather in Paris, France").
    // A quote on its own after a sentence or a colon ("how does this sound? 'Great update'") is that sentence's material.
    const onlyQuote = analysis.terms.length === 0 && analysis.quoteIds.length > 0 && words(withoutPlaceholders(clause.text)).length === 0;
    const mergeQuote = onlyQuote && previous !== undefined && previous.quoteIds.length === 0;
    if (mergeQuote || (clause.connector === 'comma' && previous && analysis.choice.kind === 'none' && !repeatsWithNewValue(analysis, previous))) {
      if (!previous) continue;
      const merged = { ...previous.clause, text: `${previous.clause.text}, ${clause.text}` };
      analyses[analyses.length - 1] = analyse(merged, prepared, analyses.slice(0, -1), tools, settings, context);
      continue;
    }
    analyses.push(analysis);
  }
  return analyses;
}

function repeatsWithNewValue(analysis: Analysis, previous: Analysis): boolean {
  const donor = previous.choice;
  if (donor.kind !== 'service' || analysis.terms.length === 0) return false;
  const own = fillParameters(donor.service, analysis.params);
  return analysis.terms.every((t) => own.consumed.has(t));
}

function analyse(clause: Clause, prepared: PreparedRequest, earlier: readonly Analysis[], tools: Prepared, settings: Settings, context: readonly Entities[]): Analysis {
  const plain = withoutPlaceholders(clause.text);
  const clauseWords = words(plain);
  const reference = findNameReference(clauseWords, earlier);
  const answerReference = settings.previous && earlier.length === 0 ? answerNounsIn(clauseWords) : new Set<string>();
  const clauseTerms = terms(plain).filter((t) => !reference?.stems.has(t) && !answerReference.has(t) && !MATERIAL_STEMS.has(t));
  const entities = withContext(extractEntities(plain, settings.nowMs), context);
  const params: ClauseParameters = { entities, words: clauseWords, urls: placeholders(clause.text, 'u').map((i) => prepared.urls[i] ?? '') };
  const hasMaterial = placeholders(clause.text, 'q').length > 0 || prepared.payload !== undefined || answerReference.size > 0;
  const choice = choose(clauseTerms, params, plain, tools, settings, hasMaterial);
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

/** A context sentence's places and dates complete a clause that names none ("I'm in Tokyo tomorrow. Weather there?"). */
function withContext(own: Entities, context: readonly Entities[]): Entities {
  const places = own.places.length > 0 ? own.places : context.flatMap((c) => c.places).map((p) => ({ ...p, words: [] }));
  const dates = own.dates.length > 0 ? own.dates : context.flatMap((c) => c.dates).map((d) => ({ ...d, words: [] }));
  return { ...own, places, dates };
}

/** "translate the summary": a determiner followed by the name of an earlier clause's service. */
function findNameReference(clauseWords: string[], earlier: readonly Analysis[]): { clauseIndex: number; stems: Set<string> } | undefined {
  for (let i = 1; i < clauseWords.length; i++) {
    if (!DETERMINERS.has(clauseWords[i - 1] ?? '')) continue;
    const referred = stem(clauseWords[i] ?? '');
    for (let c = earlier.length - 1; c >= 0; c--) {
      const choice = earlier[c]?.choice;
      const service = choice?.kind === 'service' ? choice.service : choice?.kind === 'compound' ? choice.consumer.service : undefined;
      if (service && terms(service.name).includes(referred)) return { clauseIndex: c, stems: new Set([referred]) };
    }
  }
  return undefined;
}
