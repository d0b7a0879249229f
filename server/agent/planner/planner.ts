/**
 * The planner port: a request and a catalog in, a plan, a question or a plain "unsupported" out.
 * The built-in planner is the default; an OpenAI-compatible LLM planner is used when configured.
 * Configuration is passed in (server/env.ts reads the environment, main.ts wires it here).
 */
import type { CatalogService, PlannerResult } from '../../../shared/catalog';
import { planRequest } from './builtin-planner';
import type { BuiltinPlannerOptions } from './builtin-planner';
import { preferredCatalog, type PlannerStanding } from './equivalents';
import { createLlmPlanner } from './llm-planner';
import type { LlmPlannerConfig } from './llm-planner';

export interface PlanRequest {
  text: string;
  catalog: readonly CatalogService[];
  /** Resolves relative dates ("tomorrow"). */
  nowMs?: number;
  /**
   * The person's previous request and the main text of its answer, so a follow-up ("translate that
   * into Spanish") can use the answer as its input without paying for it again.
   */
  previous?: PreviousAnswer;
  /**
   * How services stand for this person: of equivalent services the better is planned, and a blocked
   * provider or paused service never is (equivalents.ts). Absent: no records, everything usable.
   */
  standing?: PlannerStanding;
  signal?: AbortSignal;
}

export interface PreviousAnswer {
  request: string;
  /** The answer's main text, as the person read it (its last step's): what "that" and "it" mean. */
  text: string;
  /**
   * Every answered step's text with the words that name it (its service's name, tags and main output
   * field), in order, so "the summary" finds the summary even when a translation came after it.
   */
  parts?: PreviousAnswerPart[];
}

export interface PreviousAnswerPart {
  names: string[];
  text: string;
}

/** Planning failed for a reason outside the request itself: the model was unreachable or misbehaved. */
export type PlannerFailureReason = 'llm_unreachable' | 'llm_http_error' | 'llm_bad_response' | 'llm_invalid_plan';

export type PlanOutcome = { ok: true; result: PlannerResult } | { ok: false; reason: PlannerFailureReason; detail: string };

export interface Planner {
  readonly kind: 'builtin' | 'llm';
  plan(request: PlanRequest): Promise<PlanOutcome>;
}

/** The LLM planner is offered only the preferred catalog (the built-in one narrows it itself, planRequest). */
function preferring(planner: Planner): Planner {
  return { kind: planner.kind, plan: (request) => planner.plan({ ...request, catalog: preferredCatalog(request.catalog, request.standing) }) };
}

export function createBuiltinPlanner(options: Omit<BuiltinPlannerOptions, 'nowMs' | 'previous'> = {}): Planner {
  return {
    kind: 'builtin',
    plan: async ({ text, catalog, nowMs, previous, standing }) => ({
      ok: true,
      result: planRequest(text, catalog, { ...options, ...(nowMs !== undefined ? { nowMs } : {}), ...(previous ? { previous } : {}), ...(standing ? { standing } : {}) }),
    }),
  };
}

export interface PlannerConfig {
  /** Set when LLM_BASE_URL and LLM_MODEL are configured; otherwise the built-in planner plans. */
  llm?: LlmPlannerConfig;
}

export function createPlanner(config: PlannerConfig): Planner {
  return config.llm ? preferring(createLlmPlanner(config.llm)) : createBuiltinPlanner();
}
