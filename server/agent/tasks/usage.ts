/**
 * The usage a call consumes, by constraint name, for services priced by usage (formula and dynamic
 * pricing). Manifests name constraints but not how to measure them, so the measure is read from the
 * name's unit suffix, as the L402 agent-spec examples and the sandbox market use them: `_chars` is
 * the length of the input's text, `_words` its word count (shared/text-measure.ts: the larger of the
 * usual counts, so the quote covers what the provider counts). Other constraints are left to the provider.
 */
import type { CatalogService } from '../../../shared/catalog';
import { measureText } from '../../../shared/text-measure';
import type { ChainedInputBound } from '../../domain/quotes';

function textOf(input: Record<string, unknown>): string {
  return Object.values(input)
    .filter((value): value is string => typeof value === 'string')
    .join(' ');
}

export function usageFor(service: Pick<CatalogService, 'constraints' | 'pricing'>, input: Record<string, unknown>): Record<string, number> | undefined {
  if (service.pricing.model === 'fixed') return undefined;
  const measured = measureText(typeof input.text === 'string' ? input.text : textOf(input));
  return usageOf(service, (name) => (name.endsWith('_chars') ? measured.chars : name.endsWith('_words') ? measured.words : undefined));
}

/**
 * The most a chained step can use: its text is not known until the earlier step runs, so it is
 * priced at the bound the earlier step's output schema gives, or at the most the constraint allows.
 */
export function boundedUsageFor(service: Pick<CatalogService, 'constraints' | 'pricing'>, bound: ChainedInputBound): Record<string, number> | undefined {
  if (service.pricing.model === 'fixed') return undefined;
  return usageOf(service, (name, max) => {
    const bounded = name.endsWith('_chars') ? bound.maxChars : name.endsWith('_words') ? bound.maxWords : undefined;
    return bounded === undefined ? undefined : Math.min(bounded ?? max, max);
  });
}

function usageOf(service: Pick<CatalogService, 'constraints'>, measure: (name: string, max: number) => number | undefined): Record<string, number> | undefined {
  const usage: Record<string, number> = {};
  for (const [name, constraint] of Object.entries(service.constraints)) {
    const amount = measure(name, constraint.max);
    if (amount !== undefined) usage[name] = amount;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}
