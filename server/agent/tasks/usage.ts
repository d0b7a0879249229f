/**
 * The usage a call consumes, by constraint name, for services priced by usage (formula and dynamic
 * pricing). Manifests name constraints but not how to measure them, so the measure is read from the
 * name's unit suffix, as the L402 agent-spec examples and the sandbox market use them: `_chars` is
 * the length of the input's text, `_words` its word count. Other constraints are left to the provider.
 */
import type { CatalogService } from '../../../shared/catalog';

function textOf(input: Record<string, unknown>): string {
  return Object.values(input)
    .filter((value): value is string => typeof value === 'string')
    .join(' ');
}

export function usageFor(service: Pick<CatalogService, 'constraints' | 'pricing'>, input: Record<string, unknown>): Record<string, number> | undefined {
  if (service.pricing.model === 'fixed') return undefined;
  const usage: Record<string, number> = {};
  const text = typeof input.text === 'string' ? input.text : textOf(input);
  for (const name of Object.keys(service.constraints)) {
    if (name.endsWith('_chars')) usage[name] = text.length;
    else if (name.endsWith('_words')) usage[name] = text.split(/\s+/).filter(Boolean).length;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}
