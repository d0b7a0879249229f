/**
 * Fills a service's non-text inputs from the parameters found in a clause: a place for a city input,
 * a language name for an enum of language codes, "3 headlines" for a count, and so on. Text inputs
 * depend on the rest of the plan and are filled by the planner itself.
 */
import type { CatalogService } from '../../../shared/catalog';
import type { Entities, Mention } from './entities';
import { inputProperties, isLanguageEnum } from './input-schema';
import type { InputProperty } from './input-schema';
import { stem, terms, words } from './text/terms';

export interface FilledParameters {
  input: Record<string, unknown>;
  /** Stems of the clause words that became input values. */
  consumed: Set<string>;
  /** Human-readable "name: value" pairs, for the step's reason. */
  described: string[];
}

export interface ClauseParameters {
  entities: Entities;
  /** Lower-cased words of the clause (placeholders removed). */
  words: string[];
  urls: string[];
}

/**
 * `serviceTerms` are the clause terms that matched the service itself: a number next to one of them
 * ("top 7 news stories" for a headlines service) is the count when the service takes only one number.
 */
export function fillParameters(service: CatalogService, clause: ClauseParameters, serviceTerms: ReadonlySet<string> = new Set()): FilledParameters {
  const filled: FilledParameters = { input: {}, consumed: new Set(), described: [] };
  const usedNumbers = new Set<number>();
  const properties = inputProperties(service);
  const soleNumber = properties.filter((p) => p.kind === 'number').length === 1;
  for (const property of properties) {
    const about = new Set(terms(`${property.name} ${property.description}`));
    if (soleNumber) for (const t of serviceTerms) about.add(t);
    const value = valueFor(property, clause, usedNumbers, about);
    if (!value) continue;
    filled.input[property.name] = value.value;
    for (const w of value.words) filled.consumed.add(stem(w));
    filled.described.push(`${property.name}: ${String(value.value)}`);
  }
  return filled;
}

function valueFor(property: InputProperty, clause: ClauseParameters, usedNumbers: Set<number>, about: ReadonlySet<string>): Mention<unknown> | undefined {
  const { entities } = clause;
  switch (property.kind) {
    case 'place':
      return entities.places[0];
    case 'date':
      return entities.dates[0];
    case 'url': {
      const url = clause.urls[0];
      return url === undefined ? undefined : { value: url, words: [] };
    }
    case 'enum':
      return enumValue(property, clause);
    case 'number': {
      const index = entities.numbers.findIndex((n, i) => !usedNumbers.has(i) && n.near.some((w) => about.has(stem(w))));
      const found = entities.numbers[index];
      if (!found) return undefined;
      usedNumbers.add(index);
      return found;
    }
    case 'text':
    case 'other':
      return undefined;
  }
}

function enumValue(property: InputProperty, clause: ClauseParameters): Mention<string> | undefined {
  const values = property.enumValues;
  if (isLanguageEnum(values)) {
    // Codes like "de" or "it" are ordinary words in English requests; only language names count.
    return clause.entities.languages.find((l) => values.includes(l.value));
  }
  const currency = clause.entities.currencies.find((c) => values.includes(c.value));
  if (currency) return currency;
  const clauseStems = clause.words.map(stem);
  for (const value of values) {
    const valueWords = words(value);
    if (valueWords.length === 0) continue;
    const valueStems = valueWords.map(stem);
    if (valueStems.every((s) => clauseStems.includes(s))) return { value, words: valueWords };
  }
  return undefined;
}
