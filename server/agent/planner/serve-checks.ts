/**
 * Whether the service matched to a clause can serve what the clause asks, read from its input schema:
 * a time it takes no date for ("the bitcoin price next week"), a currency, language or topic it does
 * not offer, a conversion between two currencies. Each becomes a question or a refusal, never a paid
 * call that answers something else (today's price, the default topic).
 */
import type { CatalogService } from '../../../shared/catalog';
import type { Entities } from './entities';
import { languageName } from './entities';
import { inputProperties, isLanguageEnum, questionFor } from './input-schema';
import { timeFrameOf } from './intent';
import type { FilledParameters } from './parameters';
import { stem, terms, words } from './text/terms';

export type ServeCheck =
  | { ok: true }
  | { ok: false; kind: 'clarify'; question: string; field: string }
  | { ok: false; kind: 'unsupported'; why: string };

// Currency words the extractor does not map to a code the market knows: "pesos", "rubles".
const OTHER_CURRENCIES = /\b(pesos?|rubles?|roubles?|lira|liras|won|rand|krona|kronor|krone|dinars?|dirhams?|baht|zloty|forint|shekels?)\b/i;

export function checkServes(service: CatalogService, clause: string, entities: Entities, filled: FilledParameters): ServeCheck {
  const properties = inputProperties(service);
  const takesDate = properties.some((p) => p.kind === 'date');
  const frame = timeFrameOf(clause);
  if (frame !== 'present' && !takesDate && !properties.some((p) => p.kind === 'enum' && p.name === 'period' && frame === 'past')) {
    return { ok: false, kind: 'unsupported', why: `${service.name} tells only how things are now, not ${frame === 'future' ? 'how they will be' : 'how they were'}` };
  }
  const currencyInput = properties.find((p) => p.kind === 'enum' && p.enumValues.some((v) => /^[A-Z]{3}$/.test(v)) && !isLanguageEnum(p.enumValues));
  if (currencyInput) {
    const clauseTerms = new Set(words(clause).map(stem));
    if (entities.currencies.length >= 2 && !clauseTerms.has('bitcoin') && !clauseTerms.has('btc')) {
      return { ok: false, kind: 'unsupported', why: 'no service converts between currencies' };
    }
    const unknown = entities.currencies.find((c) => !currencyInput.enumValues.includes(c.value));
    if (unknown || OTHER_CURRENCIES.test(clause)) return { ok: false, kind: 'clarify', question: `${service.name} does not offer that currency. ${questionFor(service, currencyInput.name)}`, field: currencyInput.name };
  }
  const language = checkLanguage(service, clause, entities);
  if (language) return language;
  return checkTopic(service, clause, filled);
}

function checkLanguage(service: CatalogService, clause: string, entities: Entities): ServeCheck | undefined {
  const target = inputProperties(service).find((p) => p.kind === 'enum' && isLanguageEnum(p.enumValues));
  if (!target) return undefined;
  const lower = clause.toLowerCase();
  // "from French": the text is in another language, and the service translates English text.
  const source = /\bfrom\s+(\p{L}+)/u.exec(lower)?.[1];
  const sourceIsOther = source !== undefined && entities.languages.some((l) => l.words.includes(source) && l.value !== 'en');
  if (sourceIsOther) return { ok: false, kind: 'clarify', question: `${service.name} translates English text only. ${questionFor(service, target.name)}`, field: target.name };
  const named = /\b(?:to|into|in)\s+(\p{L}+)/u.exec(lower)?.[1];
  const wanted = entities.languages.find((l) => l.words.includes(named ?? '')) ?? entities.languages.find((l) => !target.enumValues.includes(l.value));
  if (wanted && !target.enumValues.includes(wanted.value)) {
    return { ok: false, kind: 'clarify', question: `${service.name} does not offer ${languageName(wanted.value) ?? wanted.value}. ${questionFor(service, target.name)}`, field: target.name };
  }
  return undefined;
}

const TIME_UNITS = ['hour', 'day', 'week', 'month', 'quarter', 'year', 'decade'];

/**
 * "headlines about sports", "the report for the year": a topic or period the person named that the
 * service does not offer is asked about, never swapped for the default.
 */
function checkTopic(service: CatalogService, clause: string, filled: FilledParameters): ServeCheck {
  const period = inputProperties(service).find((p) => p.kind === 'enum' && p.enumValues.length > 0 && p.enumValues.every((v) => TIME_UNITS.includes(v)));
  const unit = words(clause).map((w) => w.replace(/ly$/, '').replace(/s$/, '')).find((w) => TIME_UNITS.includes(w));
  if (period && unit && !period.enumValues.includes(unit)) return { ok: false, kind: 'clarify', question: `${service.name} has no ${unit} period. ${questionFor(service, period.name)}`, field: period.name };
  const named = /\b(?:about|on|regarding)\s+(?:the\s+)?(\p{L}+)/u.exec(clause.toLowerCase())?.[1];
  if (!named || terms(named).length === 0 || ownWordsOf(service).has(stem(named))) return { ok: true };
  return unofferedTopic(service, named, filled) ?? { ok: true };
}

const TOPIC_PREPOSITIONS = new Set(['about', 'on', 'regarding', 'for']);

/**
 * "headlines about sports", "sports news": the one word of a clause the service does not account
 * for, standing where a topic goes (after "about", or just before the service's own name or tags),
 * when the service takes a topic and offers no such one. Asked about, naming the topics it offers;
 * undefined when the word is not in a topic's place or the service takes no topic.
 */
export function topicOutsideOffer(service: CatalogService, clauseWords: readonly string[], unexplained: string, filled: FilledParameters): ServeCheck | undefined {
  const own = ownWordsOf(service);
  const at = clauseWords.findIndex((w, i) => stem(w) === unexplained && (TOPIC_PREPOSITIONS.has(clauseWords[i - 1] ?? '') || own.has(stem(clauseWords[i + 1] ?? ''))));
  const word = clauseWords[at];
  return word === undefined ? undefined : unofferedTopic(service, word, filled);
}

function unofferedTopic(service: CatalogService, named: string, filled: FilledParameters): ServeCheck | undefined {
  const topic = inputProperties(service).find((p) => p.kind === 'enum' && p.name === 'topic');
  if (!topic || filled.input[topic.name] !== undefined) return undefined;
  return { ok: false, kind: 'clarify', question: `${service.name} has no ${named} topic. ${questionFor(service, topic.name)}`, field: topic.name };
}

function ownWordsOf(service: CatalogService): Set<string> {
  return new Set(terms(`${service.name} ${service.tags.join(' ')}`));
}
