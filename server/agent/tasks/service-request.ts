// The HTTP request for one call of a catalogued service: GET services take their input as the query
// string, POST services as a JSON body (shared/catalog.ts `inputIn`).
import type { CatalogService } from '../../../shared/catalog';
import type { L402HttpRequest } from '../../domain/ports/l402';

export function serviceRequest(service: Pick<CatalogService, 'origin' | 'path' | 'method' | 'inputIn'>, input: Record<string, unknown>): L402HttpRequest {
  const url = new URL(service.path, service.origin);
  if (service.inputIn === 'query') {
    for (const [key, value] of Object.entries(input)) {
      if (value !== undefined && value !== null) url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return { url: url.href, method: service.method };
  }
  return { url: url.href, method: service.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) };
}
