/**
 * The shapes the built-in planner's stages hand each other (clauses analysed, services chosen, steps
 * built), and the two helpers every stage uses, kept apart so the stages do not import each other.
 */
import type { CatalogService, PlannerResult } from '../../../shared/catalog';
import type { Clause } from './clauses';
import type { ClauseParameters, FilledParameters } from './parameters';
import type { PreviousAnswer } from './planner';
import { withoutPlaceholders } from './request-text';
import type { Bm25Hit } from './text/bm25';

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

export type Settings = Required<Omit<BuiltinPlannerOptions, 'nowMs' | 'previous'>> & Pick<BuiltinPlannerOptions, 'nowMs' | 'previous'>;

export interface Analysis {
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

export interface Chosen {
  service: CatalogService;
  hit: Bm25Hit;
  filled: FilledParameters;
}

export type Choice =
  | ({ kind: 'service' } & Chosen)
  /** One clause asking for two things, the second working on the first ("summarise the market report"). */
  | { kind: 'compound'; producer: Chosen; consumer: Chosen }
  | { kind: 'cannot'; service: CatalogService; problem: Problem }
  | { kind: 'ambiguous'; services: CatalogService[] }
  | { kind: 'none'; weak: CatalogService[] };

export type Problem = Extract<PlannerResult, { kind: 'clarify' | 'unsupported' }>;

export function clarify(question: string, missingInput?: { serviceId: string; field: string }): Problem {
  return missingInput ? { kind: 'clarify', question, missingInput } : { kind: 'clarify', question };
}

/** The clause as the person wrote it, placeholders out. */
export function said(clauseText: string): string {
  return withoutPlaceholders(clauseText).replace(/\s+/g, ' ').trim();
}

