/** The catalog as a BM25F index over what a provider says about each service. */
import type { CatalogService } from '../../../shared/catalog';
import { buildBm25Index } from './text/bm25';
import type { Bm25Field, Bm25Index } from './text/bm25';
import { SYNONYMS } from './synonyms';
import { terms, words } from './text/terms';

type Field = 'name' | 'tags' | 'synonyms' | 'examples' | 'description' | 'inputs';

// A service's name and tags are its provider's own summary of what it does; examples are whole
// requests (with filler), descriptions are prose, and the input schema only hints (e.g. enum values).
const FIELDS: Record<Field, Bm25Field> = {
  name: { weight: 3, b: 0.3 },
  tags: { weight: 2, b: 0.5 },
  // The words people use for the service's own words (`synonyms.ts`): as telling as its tags.
  synonyms: { weight: 2, b: 0.5 },
  examples: { weight: 1.5, b: 0.75 },
  description: { weight: 1, b: 0.75 },
  inputs: { weight: 0.5, b: 0.75 },
};

export interface CatalogIndex {
  bm25: Bm25Index;
  /**
   * Whether a term is in what the service says it does (name, tags, examples, description), as
   * opposed to only in what it accepts: "USD" names a btc-price input, but "convert 100 USD to EUR"
   * is not a request for a bitcoin price.
   */
  describes(serviceId: string, term: string): boolean;
  /** Every word the catalog and the synonym table use, for correcting typos towards them. */
  vocabulary: ReadonlySet<string>;
}

export function indexCatalog(catalog: readonly CatalogService[]): CatalogIndex {
  const documents = catalog.map((service) => {
    // Name and tags only: a description also says how a service is priced ("priced per word"), which is not what it does.
    const own = [...terms(service.name), ...service.tags.flatMap(terms)];
    return {
      id: service.id,
      fields: {
        name: terms(service.name),
        tags: service.tags.flatMap(terms),
        synonyms: synonymsOf(new Set(own)),
        examples: service.examples.flatMap(terms),
        description: terms(service.description),
        inputs: terms(inputVocabulary(service)),
      },
    };
  });
  const descriptive = new Map(documents.map((d) => [d.id, new Set([...d.fields.name, ...d.fields.tags, ...d.fields.synonyms, ...d.fields.examples, ...d.fields.description])]));
  const vocabulary = new Set<string>();
  for (const service of catalog) for (const w of words([service.name, ...service.tags, ...service.examples, service.description, inputVocabulary(service)].join(' '))) vocabulary.add(w);
  for (const [key, list] of Object.entries(SYNONYMS)) for (const w of [key, ...list]) vocabulary.add(w);
  return {
    bm25: buildBm25Index<Field>(documents, FIELDS),
    describes: (serviceId, term) => descriptive.get(serviceId)?.has(term) ?? false,
    vocabulary,
  };
}

/** The synonyms of the words a service uses about itself, as ranking terms. */
function synonymsOf(own: ReadonlySet<string>): string[] {
  return Object.entries(SYNONYMS).flatMap(([key, list]) => (own.has(terms(key)[0] ?? key) ? list.flatMap(terms) : []));
}

function inputVocabulary(service: CatalogService): string {
  const parts: string[] = [];
  for (const [name, property] of Object.entries(service.inputSchema.properties ?? {})) {
    parts.push(name);
    if (typeof property['description'] === 'string') parts.push(property['description']);
    if (Array.isArray(property['enum'])) parts.push(...property['enum'].filter((v): v is string => typeof v === 'string'));
  }
  return parts.join(' ');
}
