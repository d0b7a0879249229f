/**
 * The catalog source (server/domain/ports/catalog-source.ts) over an HTTP fetcher, normally the
 * guarded fetch: only http(s), and in live mode only public addresses. The manifest is returned as
 * parsed JSON and left to the catalog to validate.
 */
import type { CatalogSourcePort, ManifestDocument } from '../../domain/ports/catalog-source';
import type { L402Fetcher } from './fetcher';
import { MANIFEST_PATH } from './manifest';

/** Reasons of the guarded fetch that mean "that address is not allowed", not "it did not answer". */
const ADDRESS_REFUSALS = new Set(['blocked_address', 'credentials_in_url', 'unsupported_protocol', 'invalid_url']);

export function createCatalogSource(fetcher: L402Fetcher): CatalogSourcePort {
  return {
    async readManifest(providerUrl: string): Promise<ManifestDocument> {
      const origin = originOf(providerUrl);
      if (!origin.ok) return { ok: false, reason: 'invalid_url', detail: origin.detail };
      const result = await fetcher(new URL(MANIFEST_PATH, origin.origin).href, { method: 'GET', headers: { accept: 'application/json' } });
      if (!result.ok) {
        const reason = result.reason === 'blocked_address' ? 'blocked_address' : ADDRESS_REFUSALS.has(result.reason) ? 'invalid_url' : 'fetch_failed';
        return { ok: false, reason, detail: `${result.reason}: ${result.detail}` };
      }
      const { status } = result.response;
      if (status === 404) return { ok: false, reason: 'no_manifest', detail: 'the provider publishes no /.well-known/l402.json' };
      if (status !== 200) return { ok: false, reason: 'http_error', detail: `status ${status}` };
      try {
        return { ok: true, origin: origin.origin, manifest: JSON.parse(result.response.text()) as unknown };
      } catch {
        return { ok: false, reason: 'invalid_json', detail: 'the manifest is not JSON' };
      }
    },
  };
}

function originOf(input: string): { ok: true; origin: string } | { ok: false; detail: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, detail: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, detail: 'only http and https are allowed' };
  if (url.username || url.password) return { ok: false, detail: 'a provider URL may not carry credentials' };
  return { ok: true, origin: url.origin };
}
