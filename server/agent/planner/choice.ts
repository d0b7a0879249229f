/**
 * Which service a clause asks for: ranked by BM25F, then held to what a person would accept as
 * meaning, not word overlap: the service must account for most of the clause's words (matched,
 * synonyms, or parameters it takes), be clearly ahead of the next one, and be able to serve what the
 * clause asks. A clause that asks for two things, one worked on by the other ("summarise the weekly
 * market report"), becomes a compound: the producer, then the consumer fed from it.
 */
import type { CatalogService } from '../../../shared/catalog';
import type { Choice, Chosen, Settings } from './planner-types';
import { clarify } from './planner-types';
import type { CatalogIndex } from './catalog-index';
import { inputProperties } from './input-schema';
import { fillParameters } from './parameters';
import type { ClauseParameters, FilledParameters } from './parameters';
import { checkServes, topicOutsideOffer } from './serve-checks';
import type { Bm25Hit } from './text/bm25';

interface Candidate extends Chosen {
  explained: Set<string>;
  coverage: number;
}

const takesText = (service: CatalogService) => inputProperties(service).some((p) => p.kind === 'text');

function explainedBy(clauseTerms: readonly string[], hit: Bm25Hit, filled: FilledParameters): Set<string> {
  return new Set(clauseTerms.filter((t) => hit.matched.includes(t) || filled.consumed.has(t)));
}

export function choose(
  clauseTerms: string[],
  params: ClauseParameters,
  plain: string,
  tools: { index: CatalogIndex; byId: ReadonlyMap<string, CatalogService> },
  settings: Settings,
  hasMaterial: boolean,
): Choice {
  const candidates: Candidate[] = [];
  for (const hit of tools.index.bm25.search(clauseTerms)) {
    const service = tools.byId.get(hit.id);
    // A service is chosen for what it does; matching only its input vocabulary is not enough.
    if (!service || !hit.matched.some((t) => tools.index.describes(hit.id, t))) continue;
    const filled = fillParameters(service, params, new Set(hit.matched));
    const explained = explainedBy(clauseTerms, hit, filled);
    candidates.push({ service, hit, filled, explained, coverage: clauseTerms.length === 0 ? 0 : explained.size / clauseTerms.length });
  }
  // The parameters a service takes from the clause ("in swiss francs") are evidence for it too.
  const passing = candidates.filter((c) => c.coverage >= settings.minCoverage && c.hit.score + c.filled.consumed.size >= settings.minScore);
  const [best, runnerUp] = passing;
  const compound = hasMaterial ? undefined : findCompound(candidates, clauseTerms, settings);
  if (compound && (!best || compound.coverage > best.coverage)) return servedCompound(compound, plain, params);
  if (!best) return outsideOffer(candidates, clauseTerms, params, settings) ?? { kind: 'none', weak: candidates.slice(0, 3).map((c) => c.service) };
  // One word several services share ("bitcoin") says which thing, not which service: ask.
  const top = candidates[0]?.hit.score ?? 0;
  const sharing = candidates.filter((c) => c.hit.score >= top * 0.8 && c.hit.matched.some((t) => best.hit.matched.includes(t)));
  if (clauseTerms.length === 1 && sharing.length > 1) return { kind: 'ambiguous', services: sharing.slice(0, 3).map((c) => c.service) };
  const close = passing.filter((p) => p.hit.score >= best.hit.score * settings.ambiguityRatio && p.coverage >= best.coverage);
  if (runnerUp && close.length > 1) return { kind: 'ambiguous', services: close.map((p) => p.service) };
  return served(best, plain, params);
}

/**
 * "headlines about sports": the best service accounts for every word but a topic it does not offer.
 * That is a question naming the topics it does offer, not a refusal, and never a call on the default.
 */
function outsideOffer(candidates: readonly Candidate[], clauseTerms: readonly string[], params: ClauseParameters, settings: Settings): Choice | undefined {
  const [top] = candidates;
  if (!top || top.hit.score + top.filled.consumed.size < settings.minScore) return undefined;
  const unexplained = clauseTerms.filter((t) => !top.explained.has(t));
  const [word] = unexplained;
  if (unexplained.length !== 1 || word === undefined) return undefined;
  const check = topicOutsideOffer(top.service, params.words, word, top.filled);
  if (!check || check.ok || check.kind !== 'clarify') return undefined;
  return { kind: 'cannot', service: top.service, problem: clarify(check.question, { serviceId: top.service.id, field: check.field }) };
}

function served(chosen: Chosen, plain: string, params: ClauseParameters): Choice {
  const check = checkServes(chosen.service, plain, params.entities, chosen.filled);
  if (check.ok) return { kind: 'service', service: chosen.service, hit: chosen.hit, filled: chosen.filled };
  const problem = check.kind === 'clarify' ? clarify(check.question, { serviceId: chosen.service.id, field: check.field }) : unsupportedBecause(plain, check.why);
  return { kind: 'cannot', service: chosen.service, problem };
}

function servedCompound(compound: { producer: Candidate; consumer: Candidate }, plain: string, params: ClauseParameters): Choice {
  for (const part of [compound.producer, compound.consumer]) {
    const check = served(part, plain, params);
    if (check.kind === 'cannot') return check;
  }
  return { kind: 'compound', producer: compound.producer, consumer: compound.consumer };
}

/** "translate the market report to French": a service that takes text plus one that makes it, together covering the clause. */
function findCompound(candidates: readonly Candidate[], clauseTerms: readonly string[], settings: Settings): { producer: Candidate; consumer: Candidate; coverage: number } | undefined {
  let found: { producer: Candidate; consumer: Candidate; coverage: number; score: number } | undefined;
  // Each half must be relevant on its own, as a single service would have to be.
  const relevant = candidates.filter((c) => c.hit.score + c.filled.consumed.size >= settings.minScore);
  for (const consumer of relevant.filter((c) => takesText(c.service))) {
    for (const producer of relevant.filter((c) => !takesText(c.service))) {
      const own = [...producer.hit.matched].filter((t) => !consumer.explained.has(t));
      const theirs = [...consumer.hit.matched].filter((t) => !producer.explained.has(t));
      if (own.length === 0 || theirs.length === 0) continue;
      const union = new Set([...producer.explained, ...consumer.explained]);
      const coverage = union.size / Math.max(1, clauseTerms.length);
      const score = producer.hit.score + consumer.hit.score;
      if (coverage < settings.minCoverage) continue;
      if (!found || coverage > found.coverage || (coverage === found.coverage && score > found.score)) found = { producer, consumer, coverage, score };
    }
  }
  return found;
}

export function unsupportedBecause(plain: string, why: string): { kind: 'unsupported'; missing: string; message: string } {
  const missing = politeStripped(plain.replace(/\s+/g, ' ').trim());
  return { kind: 'unsupported', missing, message: `No catalogued service can help with "${missing}": ${why}.` };
}

export function politeStripped(said: string): string {
  const stripped = said
    .replace(/^(please\s+)?(can|could|would|will)\s+you\s+(please\s+)?/i, '')
    .replace(/^(i\s+(want|need|would like|'d like)\s+(you\s+)?(to\s+)?)/i, '')
    .replace(/^please\s+/i, '')
    .replace(/[?!.]+$/, '')
    .trim();
  return stripped.length > 0 ? stripped.charAt(0).toLowerCase() + stripped.slice(1) : said;
}
